/**
 * @module diagnose/rules/lockup-consequence
 * Separates cause from consequence: a hung task or RCU stall reported after a soft lockup
 * (or another stall) on another CPU in the same input is most likely its victim, above all
 * when it waits for an RCU grace period the stuck CPU cannot let pass.
 */
import type { Report } from "../../oops/report.js";
import type { Rule } from "../types.js";

const CAUSES = new Set(["soft-lockup", "hard-lockup", "rcu-stall"]);
const VICTIMS = new Set(["hung-task", "rcu-stall"]);
/** Waits that end only when every CPU passes a quiescent state. */
const RCU_WAIT =
  /^(?:synchronize_(?:sched|rcu|rcu_expedited|srcu|net)|wait_rcu_gp|rcu_barrier|__wait_rcu_gp|synchronize_rcu_tasks)/;

function describeCause(cause: Report): string {
  const where = cause.ip?.symbol
    ? ` in ${cause.ip.symbol}${cause.ip.module ? ` [${cause.ip.module}]` : ""}`
    : "";
  const cpu = cause.task.cpu !== undefined ? ` on CPU ${cause.task.cpu}` : "";
  return `the ${cause.kind.replace("-", " ")}${cpu}${where} (line ${cause.header.line})`;
}

export const lockupConsequence: Rule = {
  meta: {
    id: "lockup-consequence",
    type: "problem",
    description: "a hung task or stall explained by an earlier soft lockup on another CPU",
  },
  run(ctx) {
    const { report, reports } = ctx;
    if (!VICTIMS.has(report.kind)) return;
    const cause = [...reports]
      .filter((r) => r !== report && CAUSES.has(r.kind) && r.header.line < report.header.line)
      .filter(
        (r) =>
          r.task.cpu === undefined ||
          report.task.cpu === undefined ||
          r.task.cpu !== report.task.cpu,
      )
      .at(-1);
    if (!cause) return;
    const wait = report.trace.find((f) => RCU_WAIT.test(f.symbol ?? ""));
    const victim = report.task.comm
      ? `${report.task.comm}${report.task.pid !== undefined ? ` (pid ${report.task.pid})` : ""}`
      : "this task";
    const summary = wait
      ? `${victim} is blocked in ${wait.symbol}, waiting for an RCU grace period that cannot end while ${describeCause(cause)} keeps that CPU from scheduling: this report is a consequence, the lockup is the cause.`
      : `${victim} hangs after ${describeCause(cause)}; a CPU stuck in the kernel holds up work others wait for, so this is most likely a consequence of the lockup.`;
    ctx.finding(
      summary,
      [
        ...ctx.evidence(cause.header.line),
        ...ctx.evidence(report.header.line),
        ...ctx.evidence(wait?.line),
      ],
      {
        causeLine: cause.header.line,
        causeTitle: cause.title,
        causeSymbol: cause.ip?.symbol,
        causeModule: cause.ip?.module ?? null,
        wait: wait?.symbol,
      },
    );
  },
};
