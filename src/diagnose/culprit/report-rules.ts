/**
 * @module diagnose/culprit/report-rules
 * Culprit rules that read the whole report (and earlier reports of the same input) before
 * any frame is walked. Each returns a verdict when it applies, undefined when the walk
 * should decide. The table in docs/culprit.md lists them with their examples.
 */
import { baseSymbol, parseLocation, symbolWithModule } from "../../oops/fields/location.js";
import type { Frame, Report } from "../../oops/report.js";
import {
  framesAfter,
  hungTaskBlocker,
  lockdepHeldSite,
  type NumberedText,
  rcuBlockedPids,
} from "./report-lines.js";
import { frameRule } from "./skip-frames.js";
import { type CulpritVerdict, culpritOf, type SelectState, walk } from "./walk.js";

type ReportRule = (state: SelectState) => CulpritVerdict | undefined;

function lineOf(state: SelectState, re: RegExp): NumberedText | undefined {
  const header = { line: state.report.header.line, text: state.report.header.text };
  return [header, ...(state.report.leadIn ?? []), ...state.rows].find((r) => re.test(r.text));
}

/** An earlier report of the same input, by the line its header is on. */
function reportAt(state: SelectState, line: number): Report | undefined {
  return state.ctx.reports?.find((r) => r.header.line === line);
}

function inherit(rule: string, from: CulpritVerdict, why: string, cause: Report): CulpritVerdict {
  if (from.culprit) {
    // a chain of consequences keeps only the first link and the root's reason
    const root = from.culprit.reason.split("; there: ").at(-1);
    return { rule, culprit: { ...from.culprit, reason: `${why}; there: ${root}` } };
  }
  return {
    rule,
    noCulprit: `${why}, and no culprit can be named for that report (line ${cause.header.line}): ${from.noCulprit ?? "no reason given"}`,
  };
}

const oom: ReportRule = ({ report }) =>
  report.kind === "oom"
    ? {
        rule: "oom",
        noCulprit:
          "an out-of-memory kill is a verdict on memory use, not a fault of the function that asked for memory",
      }
    : undefined;

/** lockup-consequence: this report follows from an earlier lockup; blame what that blames. */
const consequence: ReportRule = (state) => {
  const finding = state.findings.find((f) => f.id === "lockup-consequence");
  const line = finding?.data?.causeLine;
  if (typeof line !== "number") return undefined;
  const why = `this report is a consequence of the lockup at line ${line}`;
  const cause = reportAt(state, line);
  const verdict = cause && state.ctx.earlier?.(cause);
  if (cause && verdict) return inherit("consequence", verdict, why, cause);
  // without the earlier verdict, what the finding says the lockup was in
  if (finding?.data?.causeSymbol) {
    return {
      rule: "consequence",
      culprit: {
        symbol: baseSymbol(String(finding.data.causeSymbol)),
        module: (finding.data.causeModule as string | null) ?? null,
        reason: why,
      },
    };
  }
  return undefined;
};

/** An RCU stall lists the tasks that block the grace period; an earlier report may show one. */
const stallBlocker: ReportRule = (state) => {
  const { report } = state;
  if (report.kind !== "rcu-stall") return undefined;
  const pids = rcuBlockedPids(state.rows);
  if (pids.length === 0) return undefined;
  const earlier = (state.ctx.reports ?? []).filter(
    (r) =>
      r !== report &&
      r.header.line < report.header.line &&
      r.task.pid !== undefined &&
      pids.includes(r.task.pid),
  );
  for (const cause of earlier.reverse()) {
    const verdict = state.ctx.earlier?.(cause);
    if (verdict?.culprit) {
      return inherit(
        "stall-blocked-task",
        verdict,
        `the grace period waits for task ${cause.task.pid}, which the report at line ${cause.header.line} shows`,
        cause,
      );
    }
  }
  return undefined;
};

const IMPRECISE = /imprecise external abort|SError Interrupt|Asynchronous SError/i;

/** An asynchronous abort arrives after the access that caused it: the pc is not evidence. */
const impreciseAbort: ReportRule = (state) => {
  if (!lineOf(state, IMPRECISE)) return undefined;
  const ip = state.report.ip?.symbol;
  // except when the CPU is copying from device memory: a register points into an ioremap
  const copying = ip !== undefined && frameRule(baseSymbol(ip))?.id === "string-memory";
  // "Register r1 information: … vmalloc region … allocated at __devm_ioremap" (maybe wrapped)
  const device = state.rows.some((r) => /allocated at [\w.]*ioremap/.test(r.text));
  if (copying && device) return undefined;
  return {
    rule: "imprecise-abort",
    noCulprit:
      "an imprecise (asynchronous) external abort is delivered some time after the bus access that caused it; the pc only shows where the CPU was when it arrived, and no frame of the text is shown making a device access",
  };
};

/** A hung task whose blocker the kernel names: blame what the holder is doing. */
const hungBlocker: ReportRule = (state) => {
  if (state.report.kind !== "hung-task") return undefined;
  const blocker = hungTaskBlocker(state.rows);
  if (!blocker) return undefined;
  const traced = state.report.trace.filter((f) => f.reliable && f.line > blocker.line);
  const holder = traced.length > 0 ? traced : framesAfter(state.rows, blocker.line);
  const w = walk(holder, state.report, undefined);
  if (!w.pick) return undefined;
  return {
    rule: "hung-task-blocker",
    culprit: culpritOf(
      w.pick,
      `the hung task waits for task ${blocker.comm}:${blocker.pid}, which the kernel names as the holder, and this is where that task is (line ${blocker.line})`,
      state,
    ),
  };
};

/** lockdep recursive locking: the frame still holding the first instance made the nesting. */
const recursiveLocking: ReportRule = (state) => {
  if (!lineOf(state, /possible recursive locking detected/)) return undefined;
  const held = lockdepHeldSite(state.rows);
  if (!held?.symbol) return undefined;
  const name = baseSymbol(held.symbol);
  const frame = state.report.trace.find((f) => f.reliable && baseSymbol(f.symbol ?? "") === name);
  if (!frame || frameRule(name, { kind: state.report.kind })) return undefined;
  return {
    rule: "recursive-locking-holder",
    culprit: culpritOf(
      { ...frame, module: frame.module ?? held.module ?? null },
      `it holds the first instance of the lock (lockdep: "already holding … at ${symbolWithModule(held)}") while the code it calls takes the same lock class again`,
      state,
    ),
  };
};

const SLEEP_IN_ATOMIC =
  /scheduling while atomic|sleeping function called from invalid context|Voluntary context switch within RCU read-side critical section/;

/** WARNs that are sleeping-in-atomic checks themselves (RCU: a context switch inside a read-side section). */
const SLEEP_CHECKS = /^(?:rcu_note_context_switch)$/;

/** Dispatchers whose callbacks run in atomic context by contract (softirq, hardirq, timers). */
const ATOMIC_DISPATCH =
  /^(?:dev_hard_start_xmit|xmit_one|sch_direct_xmit|__qdisc_run|qdisc_restart|net_tx_action|net_rx_action|__napi_poll|napi_poll|call_timer_fn|expire_timers|__run_timers|run_timer_softirq|tasklet_action\w*|__handle_irq_event_percpu|handle_irq_event\w*|rcu_do_batch|rcu_core|__do_softirq|handle_softirqs)$/;

/** The checks that print "sleeping function called from invalid context" and its kin. */
const SLEEP_CHECK_FRAMES = /^(?:__might_resched|__might_sleep|___might_sleep|__schedule_bug)$/;

/**
 * A sleeping-in-atomic report printed without its stack, when the next report follows within
 * a second with the very check that prints it on its stack (a debug hook turning it into a
 * BUG): the two are one event, and the next report's stack below the check is this one's.
 */
function continuedBy(state: SelectState): Frame[] {
  const { report, ctx } = state;
  const next = ctx.reports?.find((r) => r.header.line > report.header.line);
  if (!next) return [];
  if (report.timestamp === undefined || next.timestamp === undefined) return [];
  if (next.timestamp - report.timestamp < 0 || next.timestamp - report.timestamp > 1) return [];
  const at = next.trace.findIndex(
    (f) => f.reliable && SLEEP_CHECK_FRAMES.test(baseSymbol(f.symbol ?? "")),
  );
  return at < 0 ? [] : next.trace.slice(at).filter((f) => f.reliable);
}

/**
 * Sleeping in atomic context: the callback an atomic dispatcher called (it runs atomically
 * by contract and called something that sleeps); else the first caller of the sleeping
 * primitive.
 */
const sleepInAtomic: ReportRule = (state) => {
  const { report } = state;
  const rcuCheck =
    report.kind === "warning" && SLEEP_CHECKS.test(baseSymbol(report.ip?.symbol ?? ""));
  if (!rcuCheck && !lineOf(state, SLEEP_IN_ATOMIC)) return undefined;
  const frames: Frame[] = report.trace.filter((f) => f.reliable);
  if (frames.length === 0) frames.push(...continuedBy(state));
  const chain: Frame[] = [];
  for (const frame of frames) {
    const name = baseSymbol(frame.symbol ?? "");
    if (ATOMIC_DISPATCH.test(name)) {
      const callback = chain.at(-1);
      if (callback)
        return {
          rule: "sleep-in-atomic-callback",
          culprit: culpritOf(
            callback,
            `it was called by ${name}, which runs it in atomic context, and it went on to call code that sleeps`,
            state,
          ),
        };
      break;
    }
    const row = frameRule(name, { kind: report.kind });
    if (!row) chain.push(frame);
    else if (row.id === "dispatch" || row.verdict === "boundary") break;
  }
  const first = chain[0];
  if (first)
    return {
      rule: "sleep-in-atomic-caller",
      culprit: culpritOf(first, "it called a function that sleeps from atomic context", state),
    };
  return undefined;
};

/** Panics the kernel raises by design when user space or the boot configuration fails. */
const BY_DESIGN =
  /Attempted to kill (?:init|the idle task)|Requested init \S+ failed|No working init found|No init found|VFS: Unable to mount root|Unable to mount root fs|Cannot open root device/;

const panicByDesign: ReportRule = ({ report }) =>
  report.kind === "panic" && BY_DESIGN.test(report.header.text)
    ? {
        rule: "panic-by-design",
        noCulprit:
          "the kernel panics by design when init exits or cannot be started, or the root file system cannot be mounted; the cause is in user space, the initramfs or the boot configuration, not in a kernel function",
      }
    : undefined;

/** Task-exit code a second oops lands in when the first left the dying task's state broken. */
const EXIT_PATH =
  /^(?:do_exit|exit_thread|exit_mm|exit_files|exit_fs|exit_signals|exit_notify|__exit_signal|release_task|exit_itimers|exit_sem|exit_shm|exit_task_\w+)$/;
const OOPS_COUNT = /\[#(\d+)\]/;

/**
 * A second oops (its counter [#N>1] and taint D say an earlier one happened in this boot)
 * whose pc is in the task-exit path: the task the first oops killed faulted again on its way
 * out (the stack is often cut or gone).
 */
function secondOopsInExit(state: SelectState): boolean {
  const ip = baseSymbol(state.report.ip?.symbol ?? "");
  if (!EXIT_PATH.test(ip) || !/\bD\b/.test(state.report.kernel.tainted ?? "")) return false;
  const count = state.rows.map((r) => Number(OOPS_COUNT.exec(r.text)?.[1] ?? 0)).find((n) => n > 0);
  return count !== undefined && count > 1;
}

/** A report raised while the kernel kills the task of an earlier oops is a consequence of it. */
const exitAfterOops: ReportRule = (state) => {
  const dying = /\b(?:make_task_dead|rewind_stack_and_make_dead|rewind_stack_do_exit)\b/;
  const inTrace = state.report.trace.some((f) => dying.test(f.symbol ?? ""));
  if (secondOopsInExit(state))
    return {
      rule: "exit-after-oops",
      noCulprit: `oops #2 or later, on a kernel tainted D by an earlier oops, in the task-exit path (${baseSymbol(state.report.ip?.symbol ?? "")}): the task the earlier oops killed faulted again on its way out; the earlier oops is the event to read`,
    };
  if (!inTrace && !state.rows.some((r) => dying.test(r.text))) return undefined;
  if (
    state.report.ip &&
    !/^(?:do_exit|make_task_dead)$/.test(baseSymbol(state.report.ip.symbol ?? "")) &&
    !inTrace
  )
    return undefined;
  return {
    rule: "exit-after-oops",
    noCulprit:
      "raised while the kernel kills the task of an earlier oops (die → make_task_dead → do_exit): a consequence of that oops, not a defect of its own",
  };
};

/** "NMI backtrace for cpu N" alone: a sample someone asked for, not an event. */
const backtraceSample: ReportRule = ({ report }) =>
  report.kind === "other" && /^NMI backtrace for cpu \d+/.test(report.header.text.trim())
    ? {
        rule: "backtrace-sample",
        noCulprit:
          "an NMI backtrace is one sample of where a CPU was, printed on request (SysRq or another CPU's watchdog); by itself it shows no fault and no loop",
      }
    : undefined;

const IRQ_ENTRY =
  /^(?:asm_sysvec_\w+|sysvec_\w+|__sysvec_\w+|asm_common_interrupt|common_interrupt|irqentry_enter\w*|irq_enter\w*)$/;
const STAMP = /hardirqs last\s+(enabled|disabled) at \((\d+)\):\s*(?:\[<[0-9a-f]+>\]\s*)?(.*)$/;

/**
 * A hard lockup sampled in an interrupt handler that had only just begun: lockdep's irq event
 * stamp shows interrupts enabled (event N-1) and disabled again by this interrupt's entry
 * (event N). The watchdog measures how long interrupts stayed off, and the handler cannot
 * have kept them off for seconds; the interrupted code that had just re-enabled them did.
 */
const irqJustEntered: ReportRule = (state) => {
  const { report } = state;
  if (report.kind !== "hard-lockup" || report.trace[0]?.context !== "irq") return undefined;
  const stamps = new Map<string, { event: number; site: string; line: number }>();
  for (const row of state.rows) {
    const m = STAMP.exec(row.text);
    if (m)
      stamps.set(m[1] as string, { event: Number(m[2]), site: m[3] as string, line: row.line });
  }
  const on = stamps.get("enabled");
  const off = stamps.get("disabled");
  const offSite = off && parseLocationName(off.site);
  if (!on || !off || off.event !== on.event + 1 || !offSite || !IRQ_ENTRY.test(offSite))
    return undefined;
  const lastIrq = [...report.trace].reverse().find((f) => f.context !== "task");
  const boundary =
    report.trace.find((f, i) => i > 0 && f.context === "task")?.line ?? lastIrq?.line;
  if (boundary === undefined) return undefined;
  const interrupted = framesAfter(state.rows, boundary);
  const w = walk(interrupted, report, undefined);
  if (!w.pick) return undefined;
  return {
    rule: "hard-lockup-irq-just-entered",
    culprit: culpritOf(
      w.pick,
      `the watchdog measures how long interrupts stay off; lockdep's irq event stamp shows them enabled at ${on.site} (event ${on.event}) and disabled again only by ${offSite} (event ${off.event}), so the interrupt handler had just begun and the interrupted code kept them off`,
      state,
    ),
  };
};

function parseLocationName(text: string): string | undefined {
  const loc = parseLocation(text);
  return loc?.symbol ? baseSymbol(loc.symbol) : undefined;
}

/** In order: the first rule that returns a verdict decides. */
export const REPORT_RULES: ReadonlyArray<[string, ReportRule]> = [
  ["oom", oom],
  ["panic-by-design", panicByDesign],
  ["exit-after-oops", exitAfterOops],
  ["backtrace-sample", backtraceSample],
  ["consequence", consequence],
  ["stall-blocked-task", stallBlocker],
  ["imprecise-abort", impreciseAbort],
  ["hung-task-blocker", hungBlocker],
  ["recursive-locking-holder", recursiveLocking],
  ["sleep-in-atomic", sleepInAtomic],
  ["hard-lockup-irq-just-entered", irqJustEntered],
];

export function reportRules(state: SelectState): CulpritVerdict | undefined {
  for (const [, rule] of REPORT_RULES) {
    const verdict = rule(state);
    if (verdict) return verdict;
  }
  return undefined;
}
