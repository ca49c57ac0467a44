/**
 * Measures crashlens against public conformance data:
 *   npm run conformance -- ../shared/corpus/syzkaller/linux-report
 *   npm run conformance -- ../shared/corpus/satyr
 *   npm run conformance -- ../shared/corpus/squad [--verbose]   (scripts/squad.ts)
 *   npm run conformance -- realworld [--verbose]     (testdata/realworld, scripts/realworld.ts)
 * For syzkaller-format files (header lines, blank line, log) it prints the share of titles
 * matching TITLE or an ALT, the share of no-crash files reported as none, agreement on
 * CORRUPTED, and the mismatches. For satyr's directory it checks the frame facts of
 * expectations.json (first and last frame, frame count, taints, modules) and counts the files
 * where all five agree. The data is read in place, never copied into the project.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ParseResult, parseText } from "../src/oops/parse.js";
import type { FrameContext, Report } from "../src/oops/report.js";

interface Expected {
  title?: string;
  alts: string[];
  corrupted: boolean;
  log: string;
}

function readSyzkallerFile(text: string): Expected {
  const lines = text.replace(/\r/g, "").split("\n");
  const out: Expected = { alts: [], corrupted: false, log: "" };
  let i = 0;
  for (; i < lines.length && lines[i] !== ""; i++) {
    const m = /^([A-Z]+): ?(.*)$/.exec(lines[i] as string);
    if (!m) continue;
    if (m[1] === "TITLE") out.title = m[2];
    else if (m[1] === "ALT") out.alts.push(m[2] as string);
    else if (m[1] === "CORRUPTED") out.corrupted = m[2] === "Y";
  }
  let log = lines.slice(i + 1);
  const reportAt = log.indexOf("REPORT:");
  if (reportAt > 0 && log[reportAt - 1] === "") log = log.slice(0, reportAt - 1);
  out.log = log.join("\n");
  return out;
}

export function syzkaller(dir: string, print = true): SyzkallerScore {
  const files = readdirSync(dir).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  let crashFiles = 0;
  let titleOk = 0;
  let noCrashFiles = 0;
  let noCrashOk = 0;
  let corruptedOk = 0;
  let judged = 0;
  const mismatches: string[] = [];
  for (const file of files) {
    const expected = readSyzkallerFile(readFileSync(join(dir, file), "utf8"));
    const report: Report | undefined = parseText(expected.log).reports[0];
    if (expected.title === undefined) {
      noCrashFiles++;
      if (!report) noCrashOk++;
      else mismatches.push(`${file}: expected no crash, got "${report.title}"`);
      continue;
    }
    crashFiles++;
    const got = report?.title;
    const ok = got !== undefined && (got === expected.title || expected.alts.includes(got));
    if (ok) titleOk++;
    else mismatches.push(`${file}: expected "${expected.title}", got "${got ?? "(none)"}"`);
    if (report) {
      judged++;
      if (report.corrupted === expected.corrupted) corruptedOk++;
      else
        mismatches.push(
          `${file}: corrupted expected ${expected.corrupted}, got ${report.corrupted} (${report.corruptedReason ?? "-"})`,
        );
    }
  }
  const score = {
    titles: titleOk / Math.max(crashFiles, 1),
    noCrash: noCrashOk / Math.max(noCrashFiles, 1),
    corrupted: corruptedOk / Math.max(judged, 1),
    mismatches,
  };
  if (print) {
    const pct = (a: number, b: number) => `${((100 * a) / Math.max(b, 1)).toFixed(1)}% (${a}/${b})`;
    console.log(`files:              ${files.length}`);
    console.log(`titles:             ${pct(titleOk, crashFiles)}`);
    console.log(`no-crash files:     ${pct(noCrashOk, noCrashFiles)}`);
    console.log(`corrupted agrees:   ${pct(corruptedOk, judged)}`);
    console.log(`mismatches (${mismatches.length}):`);
    for (const m of mismatches) console.log(`  ${m}`);
  }
  return score;
}

export interface SyzkallerScore {
  titles: number;
  noCrash: number;
  corrupted: number;
  mismatches: string[];
}

interface SatyrParse {
  file: string;
  first_function: string | null;
  last_function: string | null;
  frame_count: number;
  taint_count: number;
  module_count: number;
  first_frame_special_stack: string | null;
  last_frame_special_stack: string | null;
}

/*
 * satyr (abrt/satyr lib/koops_stacktrace.c) reads a file as one oops: every line anywhere in
 * it that parses as a frame is a frame, "?" ones too, of every report and every copy; a frame
 * without a name (s390's "[<…>] 0x3fffd4a1d92") has the name null. crashlens splits a file
 * into reports, folds repeated copies, and keeps each report's own stack with "?" frames
 * marked unreliable. The mapping: the frames of every report, once per copy, in file order.
 */

/**
 * satyr prepends the pc as the first frame only where x86 printed it frame-shaped, the old
 * "RIP: 0010:[<a>]  [<a>] f+o/l" and i386's "EIP: [<a>] f+o/l" trailer: not today's
 * "RIP: 0010:f+o/l", not other architectures' pc lines.
 */
const SATYR_IP = /(?:^|\]\s)\s*(?:RIP:\s+\S+\s+|EIP:\s+)\[<?[0-9a-f]+>?\]\s+\??\s*[^\s+]+\+/;

/**
 * satyr reads a frame only where its line starts with it, after a printk timestamp and stack
 * markers; crashlens also reads frames behind syslog prefixes and text pasted into the line
 * ("--2012-06-28 06:[  120.833075]  [<ffffffff8166bbe9>] system_call_fastpath+0x16/0x1b").
 */
const SATYR_FRAME_LINE =
  /^\s*(?:\[\s*\d+\.\d+\]\s*)?(?:<+[^>\s]*>+\s*)*(?:\(?\[<?[0-9a-f]+>?\]|\?|\(?[\w.$]+\+0x|0x[0-9a-f]+\s*$)/i;

/** satyr's taint letters (its 16-flag table): G is not a flag; X, T and N it does not know. */
const SATYR_TAINTS = new Set("PFSRMBUDAWCIOELK");

/**
 * satyr's "special stack" is the text of the last <…> marker ("IRQ", "NMI", "#DF"). crashlens
 * also marks the softirq part of an IRQ stack, which satyr does not tell apart, and keeps no
 * exception's name.
 */
const SATYR_STACK: Record<FrameContext, string | null> = {
  task: null,
  irq: "IRQ",
  softirq: "IRQ",
  nmi: "NMI",
  exception: "exception",
};

interface SatyrFrame {
  name: string | null;
  stack: string | null;
}

function satyrView(result: ParseResult) {
  const copies = result.reports
    .flatMap((report) =>
      [report.lines, ...(report.repeats ?? [])].map((span) => ({ span, report })),
    )
    .sort((a, b) => a.span.start - b.span.start);
  const frames: SatyrFrame[] = copies.flatMap(({ report }) =>
    report.trace
      .filter((f) => SATYR_FRAME_LINE.test(result.lines.get(f.line) ?? ""))
      .map((f) => ({ name: f.symbol ?? null, stack: SATYR_STACK[f.context] })),
  );
  const withIp = result.reports.find((r) => {
    if (!r.ip?.symbol) return false;
    for (let no = r.lines.start; no <= r.lines.end; no++)
      if (SATYR_IP.test(result.lines.get(no) ?? "")) return true;
    return false;
  });
  if (withIp?.ip?.symbol) frames.unshift({ name: withIp.ip.symbol, stack: null });
  // satyr reads the first "Tainted: " and the first "Modules linked in:" of the file
  const tainted = result.reports.find((r) => r.kernel.tainted !== undefined);
  return {
    frames,
    taints: tainted?.kernel.taints.filter((t) => SATYR_TAINTS.has(t.letter)).length ?? 0,
    modules: result.reports.find((r) => r.modules.length > 0)?.modules.length ?? 0,
  };
}

export function satyr(dir: string, print = true): Record<string, number> {
  const expectations = JSON.parse(readFileSync(join(dir, "expectations.json"), "utf8")) as {
    parse: SatyrParse[];
  };
  const checks = ["first", "last", "frames", "taints", "modules"] as const;
  const ok: Record<(typeof checks)[number] | "full" | "stacks", number> = {
    first: 0,
    last: 0,
    frames: 0,
    taints: 0,
    modules: 0,
    full: 0,
    stacks: 0,
  };
  const mismatches: string[] = [];
  for (const exp of expectations.parse) {
    const path = join(dir, "kerneloopses", exp.file);
    if (!existsSync(path)) continue;
    const view = satyrView(parseText(readFileSync(path, "utf8")));
    const got = {
      first: view.frames[0]?.name ?? null,
      last: view.frames.at(-1)?.name ?? null,
      frames: view.frames.length,
      taints: view.taints,
      modules: view.modules,
    };
    const want = {
      first: exp.first_function,
      last: exp.last_function,
      frames: exp.frame_count,
      taints: exp.taint_count,
      modules: exp.module_count,
    };
    let all = true;
    for (const key of checks) {
      if (got[key] === want[key]) ok[key]++;
      else {
        all = false;
        mismatches.push(`${exp.file}: ${key} expected ${want[key]}, got ${got[key]}`);
      }
    }
    if (all) ok.full++;
    // the stack of the first and last frame: reported, not part of the five facts
    const stacks = [view.frames[0]?.stack ?? null, view.frames.at(-1)?.stack ?? null];
    const wantStacks = [exp.first_frame_special_stack, exp.last_frame_special_stack];
    if (stacks[0] === wantStacks[0] && stacks[1] === wantStacks[1]) ok.stacks++;
    else
      mismatches.push(
        `${exp.file}: first/last frame's stack expected ${wantStacks.join("/")}, got ${stacks.join("/")}`,
      );
  }
  const n = expectations.parse.length;
  const keys = [...checks, "full", "stacks"] as const;
  const labels: Record<string, string> = { full: "full match", stacks: "stacks" };
  if (print) {
    for (const key of keys) {
      const label = labels[key] ?? key;
      const note =
        key === "stacks"
          ? "  (IRQ/NMI stack of the first and last frame; not in the full match)"
          : "";
      console.log(
        `${label.padEnd(10)} ${((100 * ok[key]) / n).toFixed(1)}% (${ok[key]}/${n})${note}`,
      );
    }
    console.log(`mismatches (${mismatches.length}):`);
    for (const m of mismatches) console.log(`  ${m}`);
  }
  return Object.fromEntries(keys.map((key) => [key, ok[key] / n]));
}

async function main(dir: string | undefined, verbose: boolean): Promise<number> {
  if (!dir) {
    console.error(
      "usage: npm run conformance -- DIR | realworld   (a syzkaller report dir, satyr's or squad's dir)",
    );
    return 2;
  }
  if (dir === "realworld") {
    const { printRealworld, scoreRealworld } = await import("./realworld.js");
    printRealworld(await scoreRealworld("testdata/realworld"), verbose);
    return 0;
  }
  if (existsSync(join(dir, "linux_log_parser"))) {
    const { printSquad, scoreSquad } = await import("./squad.js");
    printSquad(scoreSquad(dir), verbose);
    return 0;
  }
  if (existsSync(join(dir, "expectations.json"))) {
    satyr(dir);
    return 0;
  }
  const score = syzkaller(dir);
  return score.titles >= 0.95 && score.noCrash === 1 ? 0 : 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ""))) {
  const args = process.argv.slice(2);
  process.exitCode = await main(
    args.find((a) => !a.startsWith("--")),
    args.includes("--verbose"),
  );
}
