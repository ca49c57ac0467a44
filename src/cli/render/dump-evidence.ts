/**
 * @module cli/render/dump-evidence
 * The dump's own evidence under the `vmcore:` line: a few lines on the default screen, every
 * stack in full with `--verbose`. Each line ends with the shell command that shows it.
 */
import type { DumpEvidence, StackSummary } from "../../diagnose/dump/evidence.js";

/** scheduler and wait frames a blocked task always has on top: skipped in one-line summaries */
const WAIT_FRAME = /^(\? )?(__schedule|schedule|schedule_\w+|io_schedule\w*|preempt_schedule\w*)$/;

/**
 * The machinery a stack shows above what it was doing: panic and its notifiers, the oops
 * path, the IPI that stopped a CPU. A summary starts below the last of them.
 */
const REPORTING_FRAME =
  /^(panic|nmi_panic|vpanic|oops_end(\.cold)?|die|crash_kexec|__crash_kexec|atomic_notifier_call_chain|notifier_call_chain|pvpanic_\w+( \[\w+\])?|stop_this_cpu|__sysvec_reboot|sysvec_reboot|asm_sysvec_reboot|page_fault_oops|exc_page_fault|asm_exc_page_fault|do_trap|do_error_trap|exc_invalid_op|asm_exc_invalid_op|exc_general_protection|asm_exc_general_protection|watchdog\.cold|watchdog_timer_fn(\.cold)?|__hrtimer_run_queues|hrtimer_interrupt|__sysvec_apic_timer_interrupt|sysvec_apic_timer_interrupt|asm_sysvec_apic_timer_interrupt)$/;

function shortStack(stack: StackSummary, count: number): string {
  const last = stack.frames.reduce((at, f, i) => (REPORTING_FRAME.test(f) ? i : at), -1);
  const below = stack.frames.slice(last + 1);
  const frames = (below.length > 0 ? below : stack.frames).filter((f) => !WAIT_FRAME.test(f));
  const shown = frames.slice(0, count).join(" ← ");
  return frames.length > count ? `${shown} ← …` : shown;
}

function task(stack: StackSummary): string {
  return `${stack.comm} (pid ${stack.pid}, CPU ${stack.cpu})`;
}

export function renderDumpEvidence(
  evidence: DumpEvidence,
  verbose: boolean,
  dumpPath: string,
): string[] {
  const lines: string[] = [];
  const cite = (command: string) => `[crashlens shell ${dumpPath} -c '${command}']`;
  const panic = evidence.panicTask;
  if (panic !== undefined) {
    const exception = "";
    if (verbose) {
      lines.push(`dump: panic task ${task(panic)}${exception} ${cite(panic.command)}`);
      for (const frame of panic.frames) lines.push(`        ${frame}`);
    } else
      lines.push(
        `dump: panic task ${task(panic)}${exception}: ${shortStack(panic, 6)} ${cite(panic.command)}`,
      );
  }
  if (evidence.prototype !== undefined)
    lines.push(`dump: ${evidence.prototype.declaration} ${cite(evidence.prototype.command)}`);
  const objects = verbose ? evidence.objects : evidence.objects.slice(0, 2);
  for (const o of objects) {
    const where = o.offset === 0 ? "the start of" : `offset ${o.offset} into`;
    const article = /^[aeiou]/.test(o.state) ? "an" : "a";
    lines.push(
      `dump: ${o.register} = ${o.value} points to ${where} ${article} ${o.state} ${o.cache} object ${cite(o.command)}`,
    );
  }
  const blocked = evidence.blockedTasks;
  if (blocked !== undefined) {
    if (blocked.tasks.length === 0)
      lines.push(`dump: no task is in D state ${cite(blocked.command)}`);
    else if (verbose) {
      lines.push(`dump: ${blocked.tasks.length} task(s) in D state ${cite(blocked.command)}`);
      for (const t of blocked.tasks) lines.push(`        ${task(t)}: ${t.frames.join(" ← ")}`);
    } else
      lines.push(
        `dump: in D state: ${blocked.tasks.map((t) => `${t.comm} (${t.pid}) in ${shortStack(t, 2)}`).join("; ")} ${cite(blocked.command)}`,
      );
  }
  const cpus = evidence.cpuStacks;
  if (cpus !== undefined) {
    if (verbose) {
      lines.push(`dump: what each CPU was running ${cite(cpus.command)}`);
      for (const t of cpus.stacks)
        lines.push(`        CPU ${t.cpu}: ${task(t)}: ${t.frames.join(" ← ")}`);
    } else
      lines.push(
        `dump: CPUs: ${cpus.stacks.map((t) => `${t.cpu}: ${t.comm} (${t.pid}) in ${shortStack(t, 2)}`).join("; ")} ${cite(cpus.command)}`,
      );
  }
  if (verbose) for (const w of evidence.warnings) lines.push(`dump: not read: ${w}`);
  return lines;
}
