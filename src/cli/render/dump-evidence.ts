/**
 * @module cli/render/dump-evidence
 * The dump's own evidence under the `vmcore:` line: a few lines on the default screen, every
 * stack in full with `--verbose`. Each line ends with the shell command that shows it.
 */
import { frameRule } from "../../diagnose/culprit/skip-frames.js";
import type { DumpEvidence, StackSummary } from "../../diagnose/dump/evidence.js";

/** scheduler and wait frames a blocked task always has on top: skipped in one-line summaries */
const WAIT_FRAME =
  /^(\? )?(__switch_to|__schedule|schedule|schedule_\w+|io_schedule\w*|preempt_schedule\w*)$/;

/**
 * The machinery a stack shows above what it was doing — panic and its notifiers, the oops
 * path, the lockup detectors and the interrupts that ran them, the IPI that stopped a CPU —
 * as the culprit's frame table names it. A summary starts below the last of them.
 */
const REPORTING_ROWS: ReadonlySet<string> = new Set([
  "reporting",
  "panic-notifier",
  "lockup-detector",
  "interrupt-entry",
]);
/** stopping another CPU for the panic (the reboot IPI), and the exception entry stubs */
const STOP_IPI = /^(stop_this_cpu|__sysvec_reboot|sysvec_reboot|asm_sysvec_reboot|asm_exc_\w+)$/;

function isReporting(frame: string): boolean {
  const name = frame.replace(/^\? /, "").replace(/ \[[\w-]+\]$/, "");
  const id = frameRule(name.replace(/\.(cold|part\.\d+|isra\.\d+|constprop\.\d+)$/, ""))?.id;
  return (id !== undefined && REPORTING_ROWS.has(id)) || STOP_IPI.test(name);
}

function shortStack(stack: StackSummary, count: number): string {
  // from the instruction an exception interrupted, else from below the reporting machinery
  const exception = stack.frames.findIndex((f) => /^\[exception (RIP|PC): /.test(f));
  const last = stack.frames.reduce((at, f, i) => (isReporting(f) ? i : at), -1);
  const below = stack.frames.slice(exception >= 0 ? exception : last + 1);
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
