/**
 * @module knowledge/leave-out
 * The leave-out measure of issue 10: a report a record quotes is printed again as another
 * machine would print it — other addresses, offsets, pids, CPU, comm, timestamps, `?` frames
 * dropped, another kernel release — and matched against the index; the record should come
 * first, with the verdict its versions give for that release. Deterministic (seeded), so
 * figures can be compared between runs.
 */
import { parseText } from "../oops/parse.js";
import type { KnowledgeBase } from "./kb/knowledge-base.js";
import type { BranchVersions } from "./kb/record.js";
import { matchReport } from "./match.js";
import { compareVersions, formatVersion, parseUpstreamVersion, type Verdict } from "./versions.js";

/** A small seeded generator (mulberry32): the same record gets the same rendering every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, digits: number): string {
  let out = "";
  for (let i = 0; i < digits; i++) out += "0123456789abcdef"[Math.floor(random() * 16)];
  return out;
}

const comms = ["kworker/3:2", "systemd-udevd", "python3", "nginx", "qemu-kvm", "bash"];

/** A release to print and the verdict the record's versions give for it. */
export interface ReleaseChoice {
  release: string;
  build: string;
  expected: Verdict;
}

/**
 * Picks a release for a record: before a stable fix (affected), the fix itself (fixed), or a
 * vendor kernel (unknown), in turns.
 */
export function chooseRelease(branches: readonly BranchVersions[], turn: number): ReleaseChoice {
  const vendor: ReleaseChoice = {
    release: "5.14.0-427.13.1.el9_4.x86_64",
    build: "#1 SMP PREEMPT_DYNAMIC",
    expected: "unknown",
  };
  if (turn % 5 === 4) return vendor;
  const stable = branches
    .map((b) => ({ b, fixed: b.fixed ? parseUpstreamVersion(b.fixed) : undefined }))
    .filter((x) => x.fixed && x.fixed.patch > 1 && x.fixed.rc === undefined);
  const pick = stable[turn % Math.max(stable.length, 1)];
  if (!pick?.fixed) return vendor;
  const fixed = pick.fixed;
  const before = { ...fixed, patch: fixed.patch - 1 };
  const intro = pick.b.introduced ? parseUpstreamVersion(pick.b.introduced) : undefined;
  const canBeAffected =
    !intro ||
    ((intro.patch === 0 || intro.minor === fixed.minor) && compareVersions(intro, before) <= 0);
  if (turn % 2 === 0 && canBeAffected)
    return {
      release: formatVersion(before),
      build: "#1 SMP PREEMPT_DYNAMIC",
      expected: "affected",
    };
  return { release: formatVersion(fixed), build: "#1 SMP PREEMPT_DYNAMIC", expected: "fixed" };
}

/** The report text as another machine would print it. */
export function rerender(text: string, release: ReleaseChoice, random: () => number): string {
  const pid = 1000 + Math.floor(random() * 60000);
  const cpu = Math.floor(random() * 16);
  const comm = comms[Math.floor(random() * comms.length)] as string;
  const stampBase = 100 + random() * 90000;
  let hadCpuLine = false;
  const lines = text
    .split("\n")
    // `?` frames are guesses the other machine's stack may not hold
    .filter((l) => !/^\s*(?:\[[\d.\s]*\]\s*)?\?\s+[\w.]+\+0x/.test(l))
    .map((line, i) => {
      let out = line
        .replace(
          /\[\s*\d+\.\d+\]/g,
          () => `[${(stampBase + i * 0.000137).toFixed(6).padStart(12)}]`,
        )
        .replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, () => `+0x${hex(random, 2)}/0x${hex(random, 3)}`)
        .replace(/\b[0-9a-f]{8,16}\b/g, (m) => (/^\d+$/.test(m) ? m : hex(random, m.length)))
        .replace(/\bPID: \d+/g, `PID: ${pid}`)
        .replace(/\bCPU: \d+/g, `CPU: ${cpu}`)
        .replace(/\bComm: \S+/g, `Comm: ${comm}`)
        .replace(/by task \S+\/\d+/g, `by task ${comm}/${pid}`);
      const release2 = /((?:Not tainted|Tainted: [A-Z ]+?)\s+)(\d+\.\d+\S*)(\s+#\S+.*)?$/.exec(out);
      if (release2) {
        hadCpuLine = true;
        out = `${out.slice(0, release2.index)}${release2[1]}${release.release} ${release.build}`;
      }
      // lockdep's second line puts the release first: "6.3.0-rc3+ #1 Not tainted"
      const lockdep =
        /^(\s*(?:\[[^\]]*\]\s*)?)\d+\.\d+\S*(?: #\S+)? ((?:Not tainted|Tainted: ).*)$/.exec(out);
      if (lockdep) out = `${lockdep[1]}${release.release} #1 ${lockdep[2]}`;
      return out;
    });
  if (!hadCpuLine && lines.length > 0) {
    // the quote left the CPU line out: the other machine's log has one, before its body
    const header = lines.findIndex((l) =>
      /BUG|WARNING|Oops|Unable to handle|KASAN|UBSAN|KMSAN|general protection|INFO:|Internal error|watchdog|memory leak|divide error/.test(
        l,
      ),
    );
    // printed in the headline's context (timestamp, caller id), as the kernel would
    const prefix =
      /^\s*(?:\[[\d.\s]+\]\s*)?(?:\[\s*[TC]\d+\]\s*)?/.exec(lines[header] ?? "")?.[0] ?? "";
    lines.splice(
      header + 1,
      0,
      `${prefix}CPU: ${cpu} PID: ${pid} Comm: ${comm} Not tainted ${release.release} ${release.build}`,
    );
  }
  return lines.join("\n");
}

export interface LeaveOutCase {
  id: string;
  /** 1-based rank of the record among the candidates; 0 when absent */
  rank: number;
  expected: Verdict;
  /** the verdict given for the record, when it was found */
  verdict?: Verdict;
  confidence?: string;
}

/** Matches one re-rendered report; `verdictOf` gives the record's verdict for the report. */
export function leaveOutCase(
  kb: KnowledgeBase,
  id: string,
  rendered: string,
  expected: Verdict,
  verdictOf: (report: import("../oops/report.js").Report, recordId: string) => Verdict,
): LeaveOutCase {
  const report = parseText(rendered).reports[0];
  if (!report) return { id, rank: 0, expected };
  const candidates = matchReport(kb, report);
  const at = candidates.findIndex((c) => c.record.id === id);
  if (at < 0) return { id, rank: 0, expected };
  return {
    id,
    rank: at + 1,
    expected,
    verdict: verdictOf(report, id),
    confidence: (candidates[at] as { confidence: string }).confidence,
  };
}
