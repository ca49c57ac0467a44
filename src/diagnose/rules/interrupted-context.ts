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
  /(apic_timer_interrupt|timer_interrupt|call_function|reschedule_interrupt|common_interrupt|do_IRQ|irq_exit|\w+_softirq|__do_softirq|nmi)/;
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
    const trace = report.trace.filter((f) => f.reliable);
    const context = trace[0]?.context;
    const words = context ? CONTEXT_WORDS[context] : undefined;
    if (!context || !words) return;
    const section = trace.filter((f) => f.context === context);
    // the handler that names the interrupt: outermost entry of an IRQ, innermost of a softirq
    const entries = section.filter((f) => ENTRY.test(f.symbol ?? ""));
    const entry = context === "softirq" ? entries[0] : entries.at(-1);
    const task = trace.filter((f) => f.context === "task");
    const interrupted = describeTask(task, report.task.comm);
    const via = entry ? ` entered through ${entry.symbol}` : "";
    ctx.finding(
      `The fault happened in ${words} context${via}, interrupting ${interrupted}: the interrupted code is a bystander unless it shares data with the handler.`,
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
