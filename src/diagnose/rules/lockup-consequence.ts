/**
 * @module diagnose/rules/lockup-consequence
 * Separates cause from consequence: a hung task or RCU stall reported after a soft lockup
 * (or another stall) on another CPU in the same input is most likely its victim, above all
 * when it waits for an RCU grace period the stuck CPU cannot let pass.
 */
import { symbolWithModule } from "../../oops/fields/location.js";
import type { Report } from "../../oops/report.js";
import type { Rule } from "../types.js";

const CAUSES = new Set(["soft-lockup", "hard-lockup", "rcu-stall"]);
const VICTIMS = new Set(["hung-task", "rcu-stall"]);
/** Waits that end only when every CPU passes a quiescent state. */
const RCU_WAIT =
  /^(?:synchronize_(?:sched|rcu|rcu_expedited|srcu|net)|wait_rcu_gp|rcu_barrier|__wait_rcu_gp|synchronize_rcu_tasks)/;

/** Causes in input order, computed once per input rather than once per victim. */
const causesOf = new WeakMap<readonly Report[], Report[]>();

function causes(reports: readonly Report[]): Report[] {
  let list = causesOf.get(reports);
  if (!list) {
    list = reports.filter((r) => CAUSES.has(r.kind));
    causesOf.set(reports, list);
  }
  return list;
}

/** Longest gap, in seconds, between a lockup report and a hang it can still explain. */
const MIN_WINDOW_SECONDS = 600;
const BLOCKED_FOR = /blocked for more than (\d+) seconds/;

/**
 * A lockup explains a hang reported soon after it: within twice the time the task says it
 * has been blocked (it started waiting at most that long before), and at least ten minutes.
 * Without timestamps on both, only the order in the input is known.
 */
function withinWindow(cause: Report, victim: Report): boolean {
  if (cause.timestamp === undefined || victim.timestamp === undefined) return true;
  const gap = victim.timestamp - cause.timestamp;
  const blocked = Number(BLOCKED_FOR.exec(victim.header.text)?.[1] ?? 0);
  return gap >= 0 && gap <= Math.max(2 * blocked, MIN_WINDOW_SECONDS);
}

function describeCause(cause: Report): string {
  const where = cause.ip?.symbol ? ` in ${symbolWithModule(cause.ip)}` : "";
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
    const cause = causes(reports)
      .filter(
        (r) =>
          r !== report &&
          // RCU re-reports a stall for as long as it goes on: a later stall report is the
          // same event continuing, not a consequence of the earlier one
          !(report.kind === "rcu-stall" && r.kind === "rcu-stall") &&
          r.header.line < report.header.line &&
          (r.task.cpu === undefined ||
            report.task.cpu === undefined ||
            r.task.cpu !== report.task.cpu) &&
          withinWindow(r, report),
      )
      .at(-1);
    if (!cause) return;
    const wait = report.trace.find((f) => RCU_WAIT.test(f.symbol ?? ""));
    const victim =
      report.kind === "rcu-stall"
        ? "this RCU stall"
        : report.task.comm
          ? `${report.task.comm}${report.task.pid !== undefined ? ` (pid ${report.task.pid})` : ""}`
          : "this task";
    const hangs = report.kind === "rcu-stall" ? "follows" : "hangs after";
    const summary = wait
      ? `${victim} is blocked in ${wait.symbol}, waiting for an RCU grace period that cannot end while ${describeCause(cause)} keeps that CPU from scheduling: this report is a consequence, the lockup is the cause.`
      : `${victim} ${hangs} ${describeCause(cause)}; a CPU stuck in the kernel holds up work others wait for, so this is most likely a consequence of the lockup.`;
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
