/**
 * @module shell/commands/runq
 * `runq`: each CPU's runqueue as crash's dump_CFS_runqueues() prints it — the runqueue
 * address, the running task, the RT priority array's queued tasks by priority and the CFS
 * tree's queued tasks in vruntime order, `[no tasks queued]` for an empty queue.
 */
import {
  type CpuRunqueueContents,
  readRunqueues,
  type TaskTable,
  taskTable,
} from "../../kernel/tasks/index.js";
import { type ShellCommand, ShellCommandError, ShellUsageError } from "../command.js";
import { formatNanoseconds, parseCpuSpec } from "./ps.js";

export { parseCpuSpec };

const hex = (v: bigint) => v.toString(16);

function entry(table: TaskTable, task: bigint, prio: number): string {
  const t = table.byAddress.get(task);
  const who =
    t === undefined
      ? `PID: ?      TASK: ${hex(task)}  COMMAND: ?`
      : `PID: ${String(t.pid).padEnd(5)}  TASK: ${hex(t.address)}  COMMAND: "${t.comm}"`;
  return `     [${String(prio).padStart(3)}] ${who}`;
}

/** One CPU's block, as crash prints it. */
export function formatRunqueue(table: TaskTable, cpu: CpuRunqueueContents): string[] {
  const lines = [`CPU ${cpu.cpu} RUNQUEUE: ${hex(cpu.rq)}`];
  const current = cpu.curr === undefined ? undefined : table.byAddress.get(cpu.curr);
  lines.push(
    current === undefined
      ? `  CURRENT: ${hex(cpu.curr ?? 0n)}`
      : `  CURRENT: PID: ${String(current.pid).padEnd(5)}  TASK: ${hex(current.address)}  COMMAND: "${current.comm}"`,
  );
  lines.push(`  RT PRIO_ARRAY: ${hex(cpu.rtArray)}`);
  if (cpu.rt.length === 0) lines.push("     [no tasks queued]");
  for (const q of cpu.rt) lines.push(entry(table, q.task, q.prio));
  lines.push(`  CFS RB_ROOT: ${hex(cpu.cfsRoot)}`);
  if (cpu.cfs.length === 0) lines.push("     [no tasks queued]");
  for (const q of cpu.cfs) lines.push(entry(table, q.task, q.prio));
  return lines;
}

/** `runq -d`: every task whose on_rq is set, by the CPU it last ran on (crash's debug list) */
export function formatOnRq(table: TaskTable, cpus: readonly number[]): string[] {
  const lines: string[] = [];
  cpus.forEach((cpu, i) => {
    lines.push(`${i > 0 ? "\n" : ""}CPU ${cpu}`);
    const queued = table.tasks.filter((t) => (t.onRq ?? 0) !== 0 && t.cpu === cpu);
    for (const t of queued)
      lines.push(
        `     [${String(t.prio ?? 0).padStart(3)}] PID: ${String(t.pid).padEnd(5)}  TASK: ${hex(t.address)}  COMMAND: "${t.comm}"`,
      );
    if (queued.length === 0) lines.push("     [no tasks queued]");
  });
  return lines;
}

/** `runq -t`: each CPU's rq clock and its running task's last_arrival, zero-padded alike */
export function formatTimestamps(table: TaskTable, cpus: readonly CpuRunqueueContents[]): string[] {
  const lines: string[] = [];
  for (const c of cpus) {
    const stamp = String(c.clock ?? 0n);
    lines.push(`${c.cpu < 10 ? " " : ""}CPU ${c.cpu}: ${stamp}`);
    const t = c.curr === undefined ? undefined : table.byAddress.get(c.curr);
    if (t === undefined) {
      lines.push("");
      continue;
    }
    const indent = c.cpu < 10 ? 8 : c.cpu < 100 ? 8 : 9;
    const last = String(t.lastArrival ?? 0n).padStart(stamp.length, "0");
    lines.push(
      `${" ".repeat(indent)}${last}  PID: ${String(t.pid).padEnd(5)}  TASK: ${hex(t.address)}  COMMAND: "${t.comm}"`,
    );
  }
  return lines;
}

/** `runq -m`: how long each CPU's running task has run (rq clock − its last_arrival) */
export function formatRunningTimes(
  table: TaskTable,
  cpus: readonly CpuRunqueueContents[],
): string[] {
  const count = Math.max(...cpus.map((c) => c.cpu + 1), 1);
  const maxIndent = count < 10 ? 1 : count < 100 ? 2 : count < 1000 ? 3 : 4;
  const days = (text: string) => text.indexOf(" ");
  const maxDays = days(formatNanoseconds(cpus[0]?.clock ?? 0n));
  return cpus.map((c) => {
    const indent = " ".repeat(Math.max(0, maxIndent - String(c.cpu).length + 1));
    const t = c.curr === undefined ? undefined : table.byAddress.get(c.curr);
    if (t === undefined) return `${indent}CPU ${c.cpu}: [unknown]`;
    let delta = (c.clock ?? 0n) - (t.lastArrival ?? 0n);
    if (delta < 0n) delta = 0n;
    const text = formatNanoseconds(delta);
    return `${indent}CPU ${c.cpu}: [${" ".repeat(Math.max(0, maxDays - days(text)))}${text}]  PID: ${String(t.pid).padEnd(5)}  TASK: ${hex(t.address)}  COMMAND: "${t.comm}"`;
  });
}

export const runqCommand: ShellCommand = {
  name: "runq",
  summary: "run queue",
  usage: "[-t | -m | -d] [-c cpu(s)]",
  options: [
    { flag: "c", value: "cpu(s)", description: "only these CPUs (1, 0-3, 0,2)" },
    { flag: "t", description: "each CPU's rq clock and its running task's last_arrival" },
    { flag: "m", description: "how long each CPU's running task has been running" },
    {
      flag: "d",
      description: "every task whose on_rq is set, by CPU (a cross-check of the queues)",
    },
  ],
  help: `For each CPU, the runqueue's address, the task it was running (rq->curr), then the tasks
queued on its RT priority array (by priority) and in its CFS red-black tree (leftmost first,
with the task's prio), descending into task-group runqueues.`,
  examples: "crashlens> runq -c 0",
  async run(ctx, args) {
    if (args.has("t") && args.has("m"))
      throw new ShellUsageError("-t and -m are mutually exclusive");
    const table = await taskTable(ctx.kernel);
    const report = await readRunqueues(ctx.kernel, table);
    for (const warning of report.warnings) ctx.err.write(`runq: WARNING: ${warning}\n`);
    const spec = args.value("c");
    const wanted =
      spec === undefined
        ? undefined
        : parseCpuSpec(spec, Math.max(...table.cpus.map((c) => c.cpu + 1), 1));
    const cpus = report.cpus.filter((c) => wanted === undefined || wanted.has(c.cpu));
    if (args.has("d")) {
      ctx.out.write(
        `${formatOnRq(
          table,
          cpus.map((c) => c.cpu),
        ).join("\n")}\n`,
      );
      return;
    }
    if (args.has("t") || args.has("m")) {
      if (cpus.some((c) => c.clock === undefined))
        throw new ShellCommandError(
          `-${args.has("t") ? "t" : "m"}: the runqueue clock is unreadable`,
        );
      const lines = args.has("t") ? formatTimestamps(table, cpus) : formatRunningTimes(table, cpus);
      ctx.out.write(`${lines.join("\n")}\n`);
      return;
    }
    const blocks = cpus.map((c) => formatRunqueue(table, c).join("\n"));
    if (blocks.length > 0) ctx.out.write(`${blocks.join("\n\n")}\n`);
  },
};
