/**
 * @module diagnose/util/boot
 * What a report itself says about the boot it belongs to: the taint letters it printed
 * ("Not tainted" counts: it says nothing happened before) and its oops counter (`[#2]`).
 * Pastes often hold several boots or machines; only this evidence ties an earlier report
 * to the same boot.
 */
import type { Kind, Report } from "../../oops/report.js";

export interface BootEvidence {
  /** the report printed its taint state ("Not tainted" or "Tainted: …") */
  taintShown: boolean;
  /** taint letters, G/P-style module letters included */
  letters: Set<string>;
  taintLine?: number;
  /** N of `[#N]`, the oops counter of this boot */
  counter?: number;
  counterLine?: number;
}

/** How far into a report its taint and counter lines are looked for. */
const SCAN_LINES = 400;
const NOT_TAINTED = /\bNot tainted\b/;
/** "Tainted: G        W  OE" (the letters end where the release starts) */
const TAINTED = /\bTainted: ([A-Z](?:[A-Z ]*[A-Z])?)(?=\s|$)/;
/** "Tainted: [W]=WARN, [O]=OOT_MODULE" (6.x prints this line after the CPU line) */
const TAINTED_LIST = /\bTainted: ((?:\[[A-Z]\]=\w+(?:, )?)+)/;
const COUNTER = /\[#(\d+)\]/;

export function bootEvidence(
  report: Report,
  textOf: (line: number) => string | undefined,
): BootEvidence {
  const out: BootEvidence = { taintShown: false, letters: new Set() };
  // what the panic printed after this report was printed after the report's own taint was
  // added (a soft lockup sets L, then panics and prints a CPU line tainted L): only lines
  // before the panic line say what happened before this report
  const panicLine = report.panic?.line ?? Number.POSITIVE_INFINITY;
  const parsedLine = report.sourceLines["kernel.tainted"];
  if (report.kernel.tainted && (parsedLine === undefined || parsedLine < panicLine)) {
    out.taintShown = true;
    for (const t of report.kernel.taints) out.letters.add(t.letter);
    const line = report.sourceLines["kernel.tainted"];
    if (line !== undefined) out.taintLine = line;
  }
  const end = Math.min(report.lines.end, report.lines.start + SCAN_LINES, panicLine - 1);
  for (let no = report.lines.start; no <= end; no++) {
    const text = textOf(no);
    if (text === undefined) continue;
    if (out.counter === undefined) {
      const m = COUNTER.exec(text);
      if (m) {
        out.counter = Number(m[1]);
        out.counterLine = no;
      }
    }
    if (!out.taintShown || out.taintLine === undefined) {
      const list = TAINTED_LIST.exec(text);
      const letters = list
        ? [...(list[1] as string).matchAll(/\[([A-Z])\]/g)].map((m) => m[1] as string)
        : TAINTED.exec(text)?.[1]?.replace(/ /g, "").split("");
      if (letters) {
        out.taintShown = true;
        for (const l of letters) out.letters.add(l);
        out.taintLine ??= no;
      } else if (NOT_TAINTED.test(text) && !out.taintShown) {
        out.taintShown = true;
        out.taintLine = no;
      }
    }
  }
  return out;
}

/** Kinds that go through die(): each sets taint D and counts one oops. */
const DIES: ReadonlySet<Kind> = new Set([
  "null-deref",
  "paging-request",
  "general-protection",
  "kernel-bug",
  "invalid-opcode",
  "divide-error",
  "double-fault",
  "stack-overflow",
]);

/** Reports that call add_taint(TAINT_WARN) without going through WARN(). */
const WARN_TAINTING = /scheduling while atomic|sleeping function called from invalid context/;

/**
 * What a report leaves behind in the same boot: the taint letters it sets, and whether it
 * counts as an oops (the next one is `[#N+1]`). Reports that leave nothing (hung tasks, RCU
 * stalls, OOM kills, UBSAN) cannot be tied to a later report by its taint.
 */
export function leaves(report: Report): { letters: string[]; oops: boolean } {
  if (WARN_TAINTING.test(report.header.text)) return { letters: ["W"], oops: false };
  if (DIES.has(report.kind)) return { letters: ["D"], oops: true };
  switch (report.kind) {
    case "warning":
      return { letters: ["W"], oops: false };
    case "soft-lockup":
      return { letters: ["L"], oops: false };
    case "kasan":
      return { letters: ["B"], oops: false };
    case "list-corruption":
      // CONFIG_DEBUG_LIST warns on older kernels and BUG()s on newer ones
      return { letters: ["W", "D"], oops: false };
    default:
      return { letters: [], oops: false };
  }
}

/** How an earlier report is tied to this report's boot, or undefined when it is not shown. */
export function sameBootProof(
  earlier: Report,
  report: Report,
  boot: BootEvidence,
): string | undefined {
  // time going backwards or another kernel: a different boot
  if (
    earlier.timestamp !== undefined &&
    report.timestamp !== undefined &&
    earlier.timestamp > report.timestamp
  )
    return undefined;
  if (
    earlier.kernel.release &&
    report.kernel.release &&
    earlier.kernel.release !== report.kernel.release
  )
    return undefined;
  const left = leaves(earlier);
  if (left.oops && boot.counter !== undefined) {
    // an oops earlier in this boot would have made this one [#2] or later
    return boot.counter > 1 ? `this report is oops [#${boot.counter}]` : undefined;
  }
  const letter = left.letters.find((l) => boot.letters.has(l));
  return letter ? `this report is tainted ${letter}` : undefined;
}
