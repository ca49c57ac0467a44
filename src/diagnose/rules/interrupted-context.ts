/**
 * @module diagnose/rules/interrupted-context
 * A fault in IRQ, softirq or NMI context: says so, and what the interrupt had stopped (the
 * task's frames below the interrupt section, or the idle loop).
 */
import { symbolWithModule } from "../../oops/fields/location.js";
import type { Frame, FrameContext } from "../../oops/report.js";
import type { Rule } from "../types.js";

const CONTEXT_WORDS: Partial<Record<FrameContext, string>> = {
  irq: "hard-interrupt (IRQ)",
  softirq: "softirq",
  nmi: "NMI",
  exception: "exception",
};

/** Entry frames that name the interrupt source. */
const ENTRY =
  /(apic_timer_interrupt|timer_interrupt|call_function|reschedule_interrupt|common_interrupt|do_IRQ|irq_exit|\w+_softirq|__do_softirq|handle_softirqs|nmi|sysvec_\w+|irq_work_run\w*|gic_handle_irq|handle_arch_irq|el[01]h?_\d*_?irq\w*|__irq_svc)/;
/**
 * Hangs and stalls: the stack is a sample of where the watchdog found the CPU, not the place
 * of a fault. An interrupt on it may have run the moment the interrupted code re-enabled
 * interrupts, after keeping them off for most of the stall, so that code is no bystander.
 */
const SAMPLED_KINDS = new Set(["soft-lockup", "hard-lockup", "rcu-stall", "hung-task"]);
/** Frames that run softirqs (on irq exit, or in ksoftirqd's place). */
const SOFTIRQ_FRAME =
  /^(?:__do_softirq|handle_softirqs|do_softirq\w*|\w+_softirq|net_rx_action|net_tx_action|tasklet_\w*action\w*|rcu_core\w*|blk_done_softirq)$/;
/** Frames of a hard interrupt's entry and dispatch. */
const HARDIRQ_FRAME =
  /^(?:\w*apic_timer_interrupt|common_interrupt|asm_common_interrupt|do_IRQ|handle_irq\w*|__handle_irq\w*|handle_\w+_irq|generic_handle_\w+|\w*sysvec_\w+|gic_handle_irq|handle_arch_irq|el[01]h?_\d*_?irq\w*|__irq_svc|irq_work_run\w*|flush_smp_call_function\w*|\w*call_function\w*interrupt|\w*reschedule_interrupt|timer_interrupt|hrtimer_interrupt)$/;
const SYSCALL = /^(?:__x64_sys_|__ia32_sys_|__se_sys_|__do_sys_|ksys_|SyS_|sys_)/;
const IDLE =
  /^(?:cpu_idle|cpu_startup_entry|do_idle|default_idle|arch_cpu_idle|native_safe_halt|start_secondary|x86_64_start_kernel|rest_init)/;

function describeTask(taskFrames: Frame[], comm: string | undefined): string {
  if (taskFrames.some((f) => IDLE.test(f.symbol ?? "")) || comm?.startsWith("swapper"))
    return "the idle loop";
  // the interrupt's own entry frame sits on the task stack too; the task's code is below it
  const frames = taskFrames.filter((f) => !ENTRY.test(f.symbol ?? ""));
  if (frames.length === 0) return comm ? `task ${comm}` : "the interrupted task";
  const named: Frame[] = [frames[0] as Frame];
  const lastModule = [...frames].reverse().find((f) => f.module && f !== frames[0]);
  if (lastModule) named.push(lastModule);
  const syscall = frames.find((f) => SYSCALL.test(f.symbol ?? ""));
  if (syscall && !named.includes(syscall)) named.push(syscall);
  const path = named.map(symbolWithModule).join(" … ");
  return `${comm ? `task ${comm} in ` : ""}${path}`;
}

export const interruptedContext: Rule = {
  meta: {
    id: "interrupted-context",
    type: "context",
    description: "the fault happened in IRQ/softirq/NMI context, and what it interrupted",
  },
  run(ctx) {
    const { report } = ctx;
    if (SAMPLED_KINDS.has(report.kind)) return;
    const trace = report.trace.filter((f) => f.reliable);
    const context = trace[0]?.context;
    let words = context ? CONTEXT_WORDS[context] : undefined;
    let which = "";
    if (!context || !words) return;
    const section = trace.filter((f) => f.context === context);
    // x86 runs softirqs on the IRQ stack too: `<IRQ>` alone says "interrupt", and only the
    // frames say which kind
    if (context === "irq") {
      if (section.some((f) => SOFTIRQ_FRAME.test(f.symbol ?? ""))) words = "softirq";
      else if (!section.some((f) => HARDIRQ_FRAME.test(f.symbol ?? ""))) {
        words = "interrupt";
        which =
          " (on the IRQ stack: a hard interrupt or a softirq; the frames shown do not say which)";
      }
    }
    // the handler that names the interrupt: outermost entry of an IRQ, innermost of a softirq
    const entries = section.filter((f) => ENTRY.test(f.symbol ?? ""));
    const entry = context === "softirq" ? entries[0] : entries.at(-1);
    const task = trace.filter((f) => f.context === "task");
    const interrupted = describeTask(task, report.task.comm);
    const via = entry ? ` entered through ${entry.symbol}` : "";
    ctx.finding(
      `The fault happened in ${words} context${which}${via}, interrupting ${interrupted}: the interrupted code is a bystander unless it shares data with the handler.`,
      [
        ...ctx.evidence(trace[0]?.line),
        ...ctx.evidence(entry?.line),
        ...ctx.evidence(task[0]?.line),
      ],
      {
        context,
        entry: entry?.symbol,
        interrupted: task.map((f) => f.symbol),
      },
    );
  },
};
