/**
 * @module diagnose/rules/prior-warning
 * Taint W (a WARN fired), D (the kernel died before) or an earlier report in the same input:
 * the first symptom may be earlier than this report.
 */
import type { Report } from "../../oops/report.js";
import type { Rule } from "../types.js";

/** The input's first WARNING and first oops, found once per input (there can be thousands). */
const firstReports = new WeakMap<readonly Report[], { warning?: Report; oops?: Report }>();

function firstOf(reports: readonly Report[]): { warning?: Report; oops?: Report } {
  let first = firstReports.get(reports);
  if (!first) {
    first = {};
    const warning = reports.find((r) => r.kind === "warning");
    const oops = reports.find((r) => r.kind !== "warning");
    if (warning) first.warning = warning;
    if (oops) first.oops = oops;
    firstReports.set(reports, first);
  }
  return first;
}

/** `candidate` if it is an earlier report than `report` */
function earlier(candidate: Report | undefined, report: Report): Report | undefined {
  return candidate && candidate !== report && candidate.header.line < report.header.line
    ? candidate
    : undefined;
}

export const priorWarning: Rule = {
  meta: {
    id: "prior-warning",
    type: "context",
    description: "an earlier WARNING or oops: the first symptom may be earlier",
  },
  run(ctx) {
    const { report, reports } = ctx;
    const first = firstOf(reports);
    const earlierWarning = earlier(first.warning, report);
    if (earlierWarning) {
      ctx.finding(
        `An earlier WARNING in this input ("${earlierWarning.title}", line ${earlierWarning.header.line}) may be the first symptom of the same problem.`,
        ctx.evidence(earlierWarning.header.line),
        { line: earlierWarning.header.line, title: earlierWarning.title },
      );
      return;
    }
    const earlierOops = earlier(first.oops, report);
    if (earlierOops) {
      ctx.finding(
        `An earlier report in this input ("${earlierOops.title}", line ${earlierOops.header.line}) came first: this one may be its consequence.`,
        ctx.evidence(earlierOops.header.line),
        { line: earlierOops.header.line, title: earlierOops.title },
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
