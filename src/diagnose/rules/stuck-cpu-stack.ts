/**
 * @module diagnose/rules/stuck-cpu-stack
 * Says whose stack a lockup or stall report shows. A hard lockup found by the buddy detector
 * (6.6+: "CPU4: Watchdog detected hard LOCKUP on cpu 5") and an RCU stall "detected by" one
 * CPU print the stack of the CPU that noticed, not of the CPU that is stuck; reading that
 * trace as the stuck code blames a bystander. The stuck CPU's own stack appears only when
 * something asked for it ("NMI backtrace for cpu N", "Task dump for CPU N"), and then this
 * rule points at it; when it is not in the text, the rule says so.
 */
import type { Report } from "../../oops/report.js";
import type { Evidence, Rule, RuleContext } from "../types.js";

/** How each report kind names the CPUs that are stuck and the one that reported. */
interface StallShape {
  kind: Report["kind"];
  /** in the header: the stuck CPU */
  headerStuck?: RegExp;
  /** in the header: the reporting CPU, when the header says it */
  headerReporter?: RegExp;
  /** in the report's lines: one stuck CPU per match */
  lineStuck?: RegExp;
  /** in the report's lines: the reporting CPU */
  lineReporter?: RegExp;
  /** the report is the stuck CPU's own (self-detected): nothing to say */
  selfDetected?: RegExp;
}

const SHAPES: readonly StallShape[] = [
  {
    kind: "hard-lockup",
    headerStuck: /Watchdog detected hard LOCKUP on cpu (\d+)/,
    headerReporter: /\bCPU(\d+): Watchdog detected hard LOCKUP/,
  },
  {
    kind: "rcu-stall",
    selfDetected: /self-detected stall on CPU/,
    // "rcu:     0-...0: (1 GPs behind) idle=…" — one line per stalled CPU, after the header
    lineStuck: /^(?:.*\brcu:)?\s+(\d+)-\.\.\.\S*:? /,
    lineReporter: /\(detected by (\d+), t=\d+ jiffies/,
  },
];

/** Where a CPU's own stack begins when the kernel was asked to print it. */
// ("NMI backtrace for cpu 9 skipped: idling at native_safe_halt" prints no stack)
const STACK_OF_CPU = /(?:NMI backtrace for cpu|Task dump for CPU) (\d+):?\s*$/;
/** How far past the header the stalled-CPU list and "detected by" line may be. */
const STALL_LIST_LINES = 40;

function cpusOf(text: string, re: RegExp): number[] {
  const m = re.exec(text);
  return m ? [Number(m[1])] : [];
}

/** Input lines from the header to the end of the input's parsed text, in order. */
function linesAfter(ctx: RuleContext, from: number, count: number): Evidence[] {
  const out: Evidence[] = [];
  for (let n = from; n < from + count; n++) out.push(...ctx.evidence(n));
  return out;
}

/** The NMI backtrace the kernel skipped because the CPU was idle: it says where it idled. */
const IDLE_CPU = /NMI backtrace for cpu (\d+) skipped: idling at (\S+)/;

/** The first line, after the header, that starts the given CPU's own stack or says it idled. */
function stackOf(ctx: RuleContext, cpu: number): { line: Evidence; idleAt?: string } | undefined {
  const last = Math.max(...ctx.reports.map((r) => r.lines.end));
  for (let n = ctx.report.header.line + 1; n <= last; n++) {
    const [line] = ctx.evidence(n);
    if (!line) continue;
    if (Number(STACK_OF_CPU.exec(line.text)?.[1]) === cpu) return { line };
    const idle = IDLE_CPU.exec(line.text);
    if (idle && Number(idle[1]) === cpu) return { line, idleAt: idle[2] as string };
  }
  return undefined;
}

export const stuckCpuStack: Rule = {
  meta: {
    id: "stuck-cpu-stack",
    type: "context",
    description: "a lockup or stall reported by another CPU: whose stack the trace is",
  },
  run(ctx) {
    const { report } = ctx;
    const shape = SHAPES.find((s) => s.kind === report.kind);
    if (!shape || shape.selfDetected?.test(report.header.text)) return;
    const [header] = ctx.evidence(report.header.line);
    if (!header) return;
    const stuck = new Set(shape.headerStuck ? cpusOf(header.text, shape.headerStuck) : []);
    let reporter = shape.headerReporter ? cpusOf(header.text, shape.headerReporter)[0] : undefined;
    let reporterLine = reporter !== undefined ? header : undefined;
    if (shape.lineStuck || shape.lineReporter) {
      for (const line of linesAfter(ctx, report.header.line + 1, STALL_LIST_LINES)) {
        if (shape.lineStuck) for (const cpu of cpusOf(line.text, shape.lineStuck)) stuck.add(cpu);
        if (shape.lineReporter && reporter === undefined) {
          reporter = cpusOf(line.text, shape.lineReporter)[0];
          if (reporter !== undefined) reporterLine = line;
        }
      }
    }
    // the "CPU: N PID:" line of the report is the CPU whose stack it printed
    reporter ??= report.task.cpu;
    reporterLine ??= ctx.evidence(report.sourceLines["task.cpu"])[0];
    if (reporter === undefined || stuck.size === 0 || stuck.has(reporter)) return;
    const list = [...stuck].sort((a, b) => a - b);
    const cpuWord = (cpus: number[]) => `CPU${cpus.length > 1 ? "s" : ""} ${cpus.join(", ")}`;
    // the CPU whose registers or stack this report printed: its "CPU: N PID:" line
    const traced = report.trace.length > 0 || report.ip ? report.task.cpu : undefined;
    const tracedLine = ctx.evidence(report.sourceLines["task.cpu"])[0];
    const others = list.filter((cpu) => cpu !== traced);
    const found = others.map((cpu) => ({ cpu, ...stackOf(ctx, cpu) }));
    const present = found.filter((f) => f.line && !f.idleAt);
    const idle = found.filter((f) => f.idleAt);
    const missing = found.filter((f) => !f.line).map((f) => f.cpu);
    const parts = [`CPU ${reporter} detected the stall of ${cpuWord(list)}.`];
    if (traced !== undefined && stuck.has(traced))
      parts.push(
        `The trace in this report is the stuck CPU ${traced}'s own (line ${tracedLine?.line}).`,
      );
    else if (traced !== undefined)
      parts.push(`The trace in this report is CPU ${traced}'s, a bystander's, not the stuck code.`);
    if (present.length > 0)
      parts.push(
        `The stuck CPU's own stack is printed further on: ${present.map((f) => `CPU ${f.cpu} at line ${f.line?.line}`).join(", ")}.`,
      );
    if (idle.length > 0)
      parts.push(
        `${idle.map((f) => `CPU ${f.cpu} was idle (at ${f.idleAt}, line ${f.line?.line})`).join(", ")}: the kernel skipped ${idle.length > 1 ? "their" : "its"} backtrace.`,
      );
    if (missing.length > 0)
      parts.push(
        `The stack of ${cpuWord(missing)} is not in this text, so what ${missing.length > 1 ? "they were" : "it was"} doing is unknown.`,
      );
    // a stuck CPU whose own trace is here and no other missing: nothing a reader could misread
    if (parts.length === 2 && traced !== undefined && stuck.has(traced) && missing.length === 0)
      return;
    ctx.finding(
      parts.join(" "),
      [
        header,
        ...(reporterLine ? [reporterLine] : []),
        ...(tracedLine && traced !== undefined ? [tracedLine] : []),
        ...[...present, ...idle].flatMap((f) => (f.line ? [f.line] : [])),
      ],
      { stuck: list, reporter, traced, missing },
    );
  },
};
