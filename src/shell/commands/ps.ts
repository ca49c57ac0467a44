/**
 * @module shell/commands/ps
 * `ps`: crash's process table from the dump's own task lists — PID, PPID, CPU, TASK, ST,
 * %MEM, VSZ, RSS, COMM, `>` on each CPU's running task and `[comm]` for kernel threads, in
 * crash 8's column widths; `-k`/`-u`/`-G`/`-A` filters, `-m`/`-l` last-run shapes, `-S` state
 * counts, and pid, task address, command name or 'regex' arguments.
 */
import type { Kernel } from "../../kernel/kernel.js";
import {
  type MemoryUsage,
  psMemory,
  readPresentPages,
  type Task,
  type TaskTable,
  taskCount,
  taskMemoryUsage,
  taskTable,
} from "../../kernel/tasks/index.js";
import { findField } from "../../kernel/tasks/layout.js";
import { type ShellCommand, ShellCommandError, ShellUsageError } from "../command.js";
import type { SysFact } from "../sys-facts.js";

/**
 * `sys`'s TASKS: every task in crash's table, threads and per-CPU idle tasks included (56 on
 * the lab's hung dump, as crash 8.0.6 says). Plug in as `{ ...kallsymsSysFacts, tasks: sysTasks }`.
 */
export const sysTasks: SysFact<number> = async ({ kernel }) =>
  taskCount(kernel).catch(() => undefined);

/** `sys`'s MEMORY as crash computes it: the nodes' present pages × page size (255.5 MB in the lab) */
export const sysMemoryBytes: SysFact<bigint> = async ({ kernel }) => {
  const pages = await readPresentPages(kernel).catch(() => 0n);
  return pages > 0n ? pages * BigInt(kernel.view.vmcoreinfo.pageSize ?? 4096) : undefined;
};

/** crash 8.0.6's header for 64-bit task addresses */
export const psHeader = "      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM";

const hex16 = (v: bigint) => v.toString(16).padStart(16, "0");

/** crash's `%.1f`, centred in four columns when it is three characters long */
export function formatPercent(percent: number): string {
  const text = percent.toFixed(1);
  return text.length === 3 ? ` ${text}` : text;
}

/** `ps -s`: KSTACKP replaces TASK (crash's mkstring CENTER|RJUST puts the odd space left) */
export const psHeaderKstackp = psHeader.replace("       TASK       ", "      KSTACKP     ");

/** the saved kernel stack pointer, `--` for a running task (its sp is in the CPU's registers) */
function kstackp(task: Task): string {
  return task.active || task.threadSp === undefined
    ? `${" ".repeat(7)}--${" ".repeat(7)}`
    : hex16(task.threadSp);
}

/** One row as crash 8's show_ps_data() prints it (`kstack`: the -s column). */
export function formatPsRow(task: Task, usage: MemoryUsage | undefined, kstack = false): string {
  const mem = usage === undefined ? { percent: 0, vszKiB: 0n, rssKiB: 0n } : psMemory(usage, task);
  const st = task.stateName;
  return [
    task.active ? "> " : "  ",
    String(task.pid).padStart(7),
    " ",
    String(task.ppid).padStart(7),
    " ",
    String(task.cpu).padStart(3),
    "  ",
    kstack ? kstackp(task) : hex16(task.address),
    " ",
    st.padStart(3),
    st.length > 3 ? " " : "  ",
    formatPercent(mem.percent),
    " ",
    String(mem.vszKiB).padStart(8),
    " ",
    String(mem.rssKiB).padStart(8),
    "  ",
    task.kernelThread ? `[${task.comm}]` : task.comm,
  ].join("");
}

/** crash's print_task_header(): `PID: 100      TASK: ffff…  CPU: 0    COMMAND: "sh"` */
export function taskHeader(task: Task): string {
  return `PID: ${String(task.pid).padEnd(7)}  TASK: ${hex16(task.address)}  CPU: ${String(task.cpu).padEnd(3)}  COMMAND: "${task.comm}"`;
}

/** crash's translate_nanoseconds(): `D HH:MM:SS.mmm` */
export function formatNanoseconds(ns: bigint): string {
  let v = ns / 1_000_000n;
  const ms = v % 1000n;
  v /= 1000n;
  const secs = v % 60n;
  v /= 60n;
  const mins = v % 60n;
  v /= 60n;
  const hours = v % 24n;
  const days = v / 24n;
  const p = (n: bigint, w: number) => String(n).padStart(w, "0");
  return `${days} ${p(hours, 2)}:${p(mins, 2)}:${p(secs, 2)}.${p(ms, 3)}`;
}

/** crash's cpu-spec: `1`, `0-3`, `0,2-3`, `a` (all) */
export function parseCpuSpec(spec: string, max: number): Set<number> {
  const out = new Set<number>();
  if (spec === "a" || spec === "all") {
    for (let i = 0; i < max; i++) out.add(i);
    return out;
  }
  for (const part of spec.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new ShellCommandError(`invalid cpu specification: ${spec}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && i < max; i++) out.add(i);
  }
  return out;
}

export interface PsOptions {
  kernelOnly?: boolean;
  userOnly?: boolean;
  groupLeaders?: boolean;
  activeOnly?: boolean;
}

/** the tasks `ps` shows, in crash's order, after the filters and the arguments */
export function selectTasks(table: TaskTable, options: PsOptions, args: readonly string[]): Task[] {
  const keep = (t: Task) =>
    !(options.kernelOnly && !t.kernelThread) &&
    !(options.userOnly && t.kernelThread) &&
    !(options.groupLeaders && t.pid !== t.tgid) &&
    !(options.activeOnly && !t.active);
  if (args.length === 0) return table.tasks.filter(keep);
  const matchers = args.map((arg) => taskMatcher(arg, table));
  const out: Task[] = [];
  const shown = new Set<bigint>();
  for (const task of table.tasks) {
    for (const matches of matchers) {
      if (!matches(task)) continue;
      // -G with a named thread shows its group leader, once (crash's TASK_SPECIFIED case)
      let row: Task | undefined = task;
      if (options.groupLeaders && task.pid !== task.tgid)
        row = table.tasks.find((t) => t.pid === task.tgid && t.tgid === task.tgid);
      if (row === undefined || !keep(row)) continue;
      if (options.groupLeaders) {
        if (shown.has(row.address)) continue;
        shown.add(row.address);
      }
      out.push(row);
    }
  }
  return out;
}

/** crash's PS_BY_PID, PS_BY_TASK, PS_BY_CMD and PS_BY_REGEX argument kinds */
export function taskMatcher(arg: string, table: TaskTable): (task: Task) => boolean {
  if (arg.length > 2 && arg.startsWith("'") && arg.endsWith("'")) {
    const regex = new RegExp(arg.slice(1, -1));
    return (t) => regex.test(t.comm);
  }
  if (arg.startsWith("\\")) return (t) => t.comm === arg.slice(1, 16);
  if (/^\d+$/.test(arg) && table.tasks.some((t) => t.pid === Number(arg))) {
    const pid = Number(arg);
    return (t) => t.pid === pid;
  }
  if (/^(0x)?[0-9a-f]+$/i.test(arg)) {
    const address = BigInt(/^0x/i.test(arg) ? arg : `0x${arg}`);
    if (table.byAddress.has(address)) return (t) => t.address === address;
  }
  if (/^(0x)?[0-9a-f]+$/i.test(arg))
    throw new ShellCommandError(`invalid task or pid value: ${arg}`);
  return (t) => t.comm === arg.slice(0, 15);
}

/** `ps -S`: each state's count, in order of first appearance */
export function stateSummary(tasks: readonly Task[]): string[] {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.stateName, (counts.get(t.stateName) ?? 0) + 1);
  return [...counts].map(([state, n]) => `  ${state}: ${n}`);
}

/** sorted by last_arrival, newest first (crash's sort_by_last_run) */
function byLastRun(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => {
    const x = a.lastArrival ?? 0n;
    const y = b.lastArrival ?? 0n;
    return y < x ? -1 : y > x ? 1 : 0;
  });
}

/** each CPU's `rq->clock`, for `ps -m` */
async function rqClocks(kernel: Kernel, table: TaskTable): Promise<Map<number, bigint>> {
  const clock = findField(await kernel.btf(), "rq", "clock");
  const out = new Map<number, bigint>();
  if (clock === undefined) return out;
  for (const entry of table.cpus) {
    if (entry.rq === 0n) continue;
    const value = await kernel.memory.u64(entry.rq + BigInt(clock.offset)).catch(() => undefined);
    if (value !== undefined) out.set(entry.cpu, value);
  }
  return out;
}

/** `ps -m`: time since each task last ran, by its CPU's rq clock */
export function formatLastRunMs(
  tasks: readonly Task[],
  clocks: ReadonlyMap<number, bigint>,
): string[] {
  return byLastRun(tasks).map((t) => {
    const clock = clocks.get(t.cpu) ?? 0n;
    let delta = clock - (t.lastArrival ?? 0n);
    if (delta < 0n) delta = 0n;
    return `[${formatNanoseconds(delta)}] [${t.stateName}]  ${taskHeader(t)}`;
  });
}

/** `ps -m -C cpus`: per CPU, its tasks, the day column padded to the rq clock's width */
export function formatLastRunMsByCpu(
  tasks: readonly Task[],
  clocks: ReadonlyMap<number, bigint>,
  cpus: readonly number[],
): string[] {
  const lines: string[] = [];
  const days = (text: string) => text.indexOf(" ");
  cpus.forEach((cpu, i) => {
    lines.push(`${i > 0 ? "\n" : ""}CPU: ${cpu}`);
    const clock = clocks.get(cpu) ?? 0n;
    const maxDays = days(formatNanoseconds(clock));
    for (const t of byLastRun(tasks)) {
      if (t.cpu !== cpu) continue;
      let delta = clock - (t.lastArrival ?? 0n);
      if (delta < 0n) delta = 0n;
      const text = formatNanoseconds(delta);
      lines.push(
        `[${" ".repeat(Math.max(0, maxDays - days(text)))}${text}] [${t.stateName}]  ${taskHeader(t)}`,
      );
    }
  });
  return lines;
}

/** `ps -l`: the raw last_arrival stamps, padded to the newest one's width (per CPU with -C) */
export function formatLastRun(tasks: readonly Task[], cpus?: readonly number[]): string[] {
  const sorted = byLastRun(tasks);
  const width = String(sorted[0]?.lastArrival ?? 0n).length;
  const row = (t: Task) =>
    `[${String(t.lastArrival ?? 0n).padStart(width)}] [${t.stateName}]  ${taskHeader(t)}`;
  if (cpus === undefined) return sorted.map(row);
  return cpus.flatMap((cpu, i) => [
    `${i > 0 ? "\n" : ""}CPU: ${cpu}`,
    ...sorted.filter((t) => t.cpu === cpu).map(row),
  ]);
}

export const psCommand: ShellCommand = {
  name: "ps",
  summary: "display process status information",
  usage: "[-k|-u|-G][-A][-s][-m|-l|-S][-C cpus] [pid | task | command | 'regex'] ...",
  options: [
    { flag: "k", description: "kernel threads only" },
    { flag: "u", description: "user tasks only" },
    { flag: "G", description: "thread-group leaders only" },
    { flag: "A", description: "only the task running on each CPU" },
    {
      flag: "m",
      description: "time since each task last ran (its CPU's rq clock − sched_info.last_arrival)",
    },
    { flag: "l", description: "each task's sched_info.last_arrival, newest first" },
    { flag: "S", description: "how many tasks are in each state" },
    {
      flag: "s",
      description: "the saved kernel stack pointer (KSTACKP) instead of the task address",
    },
    { flag: "C", value: "cpus", description: "with -m or -l: per CPU (1, 0-3, 0,2, a)" },
  ],
  help: `Lists the tasks read from the dump: the thread-group leaders on init_task.tasks, their
threads, and each CPU's idle task (swapper/N, pid 0), sorted by pid. A '>' marks the task
running on a CPU (its runqueue's curr); kernel threads print as [comm]. ST is crash's state
name (RU running, IN interruptible, UN uninterruptible, ID idle, ST stopped, TR traced,
ZO zombie, DE dead, PA parked, WA waking, NE new). VSZ and RSS are KiB; %MEM is RSS over the
nodes' present pages, as crash computes it. Arguments select tasks by pid, task address,
command name (\\name if it looks like a number) or 'regular expression'.`,
  examples: `crashlens> ps -k | head -3
crashlens> ps sh
crashlens> ps -m`,
  async run(ctx, args) {
    if (args.has("k") && args.has("u"))
      throw new ShellUsageError("-u and -k are mutually exclusive");
    const exclusive = ["m", "l", "S"].filter((f) => args.has(f));
    if (exclusive.length > 1) throw new ShellUsageError("-m, -l and -S are mutually exclusive");
    const table = await taskTable(ctx.kernel);
    for (const warning of table.warnings) ctx.err.write(`ps: WARNING: ${warning}\n`);
    const options: PsOptions = {
      kernelOnly: args.has("k"),
      userOnly: args.has("u"),
      groupLeaders: args.has("G"),
      activeOnly: args.has("A"),
    };
    if (args.has("S")) {
      if (args.positional.length > 0) throw new ShellCommandError("-S option takes no arguments");
      if (options.kernelOnly || options.userOnly || options.groupLeaders)
        throw new ShellCommandError("-S option cannot be used with other options");
      ctx.out.write(`${stateSummary(table.tasks).join("\n")}\n`);
      return;
    }
    if (args.has("C") && !args.has("m") && !args.has("l"))
      throw new ShellCommandError("-C option is only applicable with -l and -m");
    if (args.has("C") && args.positional.length > 0)
      throw new ShellCommandError("-C option is not applicable with specified tasks");
    const tasks = selectTasks(table, options, args.positional);
    if (args.has("m") || args.has("l")) {
      if (options.groupLeaders)
        throw new ShellCommandError(`-G not supported with -${args.has("m") ? "m" : "l"} option`);
      if (tasks.some((t) => t.lastArrival === undefined))
        throw new ShellCommandError("last-run timestamps do not exist in this kernel");
      const spec = args.value("C");
      const cpus =
        spec === undefined
          ? undefined
          : [...parseCpuSpec(spec, Math.max(...table.cpus.map((c) => c.cpu + 1), 1))];
      let lines: string[];
      if (args.has("m")) {
        const clocks = await rqClocks(ctx.kernel, table);
        lines =
          cpus === undefined
            ? formatLastRunMs(tasks, clocks)
            : formatLastRunMsByCpu(tasks, clocks, cpus);
      } else lines = formatLastRun(tasks, cpus);
      if (lines.length > 0) ctx.out.write(`${lines.join("\n")}\n`);
      return;
    }
    const usage = await taskMemoryUsage(ctx.kernel, table.tasks).catch(() => undefined);
    const kstack = args.has("s");
    let chunk = `${kstack ? psHeaderKstackp : psHeader}\n`;
    for (const task of tasks) {
      if (ctx.signal.aborted) return;
      chunk += `${formatPsRow(task, usage, kstack)}\n`;
    }
    ctx.out.write(chunk);
  },
};
