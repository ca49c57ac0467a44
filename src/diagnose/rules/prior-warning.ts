/**
 * @module diagnose/rules/prior-warning
 * Taint W (a WARN fired), D (the kernel died before) or an earlier report in the same input:
 * the first symptom may be earlier than this report.
 */
import type { Rule } from "../types.js";

export const priorWarning: Rule = {
  meta: {
    id: "prior-warning",
    type: "context",
    description: "an earlier WARNING or oops: the first symptom may be earlier",
  },
  run(ctx) {
    const { report, reports } = ctx;
    const earlier = reports.filter((r) => r !== report && r.header.line < report.header.line);
    const earlierWarning = earlier.find((r) => r.kind === "warning");
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
