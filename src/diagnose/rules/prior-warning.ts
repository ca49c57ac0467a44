/**
 * @module diagnose/rules/prior-warning
 * Taint W (a WARN fired), D (the kernel died before) or an earlier report in the same input:
 * the first symptom may be earlier than this report.
 */
import type { Report } from "../../oops/report.js";
import type { Rule } from "../types.js";

/** The input's first WARNING, found once per input (an input can hold thousands of reports). */
const firstWarnings = new WeakMap<readonly Report[], Report | null>();

function firstWarning(reports: readonly Report[]): Report | undefined {
  let first = firstWarnings.get(reports);
  if (first === undefined) {
    first = reports.find((r) => r.kind === "warning") ?? null;
    firstWarnings.set(reports, first);
  }
  return first ?? undefined;
}

export const priorWarning: Rule = {
  meta: {
    id: "prior-warning",
    type: "context",
    description: "an earlier WARNING or oops: the first symptom may be earlier",
  },
  run(ctx) {
    const { report, reports } = ctx;
    const first = firstWarning(reports);
    const earlierWarning =
      first && first !== report && first.header.line < report.header.line ? first : undefined;
    if (earlierWarning) {
      ctx.finding(
        `An earlier WARNING in this input ("${earlierWarning.title}", line ${earlierWarning.header.line}) may be the first symptom of the same problem.`,
        ctx.evidence(earlierWarning.header.line),
        { line: earlierWarning.header.line, title: earlierWarning.title },
      );
      return;
    }
    const taint = report.kernel.taints.find((t) => t.letter === "W" || t.letter === "D");
    if (!taint) return;
    const what = taint.letter === "W" ? "a WARNING was issued" : "the kernel already oopsed";
    ctx.finding(
      `The kernel is tainted ${taint.letter}: ${what} before this report, and that earlier message (not in this excerpt) may be the first symptom.`,
      ctx.evidence(report.sourceLines["kernel.tainted"]),
      { taint: taint.letter },
    );
  },
};
