/**
 * @module diagnose/rules/prior-warning
 * An earlier report of the same boot, or taint W/D/L, means the first symptom may be earlier
 * than this report. An earlier report in the input counts only when this report's own taint
 * or oops counter ties it to the same boot: pastes often hold several boots or machines, and a
 * report that says "Not tainted" and `[#1]` had nothing before it.
 */
import type { Kind, Report } from "../../oops/report.js";
import type { Rule } from "../types.js";
import { bootEvidence, sameBootProof } from "../util/boot.js";

/** Each kind by its own name: an earlier oops is not called a WARNING. */
const KIND_WORDS: Record<Kind, string> = {
  "null-deref": "NULL pointer dereference",
  "paging-request": "bad memory access (paging request)",
  "general-protection": "general protection fault",
  "kernel-bug": "kernel BUG",
  warning: "WARNING",
  "soft-lockup": "soft lockup",
  "hard-lockup": "hard lockup",
  "rcu-stall": "RCU stall",
  "hung-task": "hung-task report",
  kasan: "sanitizer report",
  ubsan: "UBSAN report",
  "list-corruption": "list corruption report",
  "divide-error": "divide error",
  "invalid-opcode": "invalid opcode",
  "double-fault": "double fault",
  "stack-overflow": "stack overflow",
  oom: "OOM kill",
  panic: "panic",
  other: "kernel error report",
};

const TAINT_WORDS: Record<string, string> = {
  W: "a WARNING was issued",
  D: "the kernel already oopsed",
  L: "a soft lockup was reported",
};

/** The same report again: same kind, same title (a recurrence, not a cause). */
function isCopy(a: Report, b: Report): boolean {
  return a.kind === b.kind && a.title === b.title;
}

/**
 * Each report's index, and the earlier reports worth looking at: in its boot (a report whose
 * time runs backwards starts another boot, and nothing before it counts), the first report
 * of each kind and title (later copies add nothing). Computed once per input, so that an
 * input of thousands of reports is read in one pass.
 */
interface Positions {
  index: Map<Report, number>;
  /** per report, the indexes of the first report of each kind and title of its boot so far */
  segmentOf: number[];
  firsts: number[][];
}
const positionsOf = new WeakMap<readonly Report[], Positions>();

function positions(reports: readonly Report[]): Positions {
  let p = positionsOf.get(reports);
  if (p) return p;
  p = { index: new Map(), segmentOf: [], firsts: [[]] };
  let seen = new Set<string>();
  let last: number | undefined;
  reports.forEach((r, i) => {
    const q = p as Positions;
    q.index.set(r, i);
    if (r.timestamp !== undefined) {
      if (last !== undefined && r.timestamp < last) {
        q.firsts.push([]);
        seen = new Set();
      }
      last = r.timestamp;
    }
    q.segmentOf.push(q.firsts.length - 1);
    const key = `${r.kind}\n${r.title}`;
    if (!seen.has(key)) {
      seen.add(key);
      q.firsts.at(-1)?.push(i);
    }
  });
  positionsOf.set(reports, p);
  return p;
}

function quoted(report: Report): string {
  const text = report.header.text.trim();
  return text.length > 100 ? `${text.slice(0, 97)}…` : text;
}

export const priorWarning: Rule = {
  meta: {
    id: "prior-warning",
    type: "context",
    description: "an earlier WARNING or oops of the same boot: the first symptom may be earlier",
  },
  run(ctx) {
    const { report, reports } = ctx;
    const boot = bootEvidence(report, (no) => ctx.evidence(no)[0]?.text);
    const p = positions(reports);
    const index = p.index.get(report) ?? 0;
    // nothing in this report can tie an earlier one to its boot: do not look
    const canTie = (boot.counter ?? 0) > 1 || ["W", "D", "L", "B"].some((l) => boot.letters.has(l));
    let cause: { r: Report; proof: string } | undefined;
    let copy: { r: Report; proof: string } | undefined;
    for (const i of canTie ? (p.firsts[p.segmentOf[index] ?? 0] ?? []) : []) {
      if (i >= index) break;
      const r = reports[i] as Report;
      if (r.header.line >= report.header.line) continue;
      const proof = sameBootProof(r, report, boot);
      if (!proof) continue;
      if (!isCopy(r, report)) {
        cause = { r, proof };
        break;
      }
      copy ??= { r, proof };
    }
    const proofOf = (t: { proof: string }) =>
      ctx.evidence(t.proof.includes("oops [#") ? boot.counterLine : boot.taintLine);
    if (cause) {
      ctx.finding(
        `An earlier ${KIND_WORDS[cause.r.kind]} in this boot (line ${cause.r.header.line}: "${quoted(cause.r)}") may be the first symptom of the same problem (${cause.proof}).`,
        [...ctx.evidence(cause.r.header.line), ...proofOf(cause)],
        { line: cause.r.header.line, title: cause.r.title, kind: cause.r.kind },
      );
      return;
    }
    if (copy) {
      ctx.finding(
        `The same ${KIND_WORDS[copy.r.kind]} was already reported in this boot (line ${copy.r.header.line}, ${copy.proof}): this is a recurrence of one problem, not a consequence of the earlier report.`,
        [...ctx.evidence(copy.r.header.line), ...proofOf(copy)],
        { line: copy.r.header.line, title: copy.r.title, kind: copy.r.kind, repeat: true },
      );
      return;
    }
    const taint = ["W", "D", "L"].find((l) => boot.letters.has(l));
    if (!taint) return;
    ctx.finding(
      `The kernel is tainted ${taint}: ${TAINT_WORDS[taint]} before this report in the same boot, and that earlier message may be the first symptom.`,
      ctx.evidence(boot.taintLine),
      { taint },
    );
  },
};
