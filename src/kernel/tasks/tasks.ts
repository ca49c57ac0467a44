/**
 * @module kernel/tasks/tasks
 * Every task in the dump, as crash's task table holds them: the thread-group leaders on
 * `init_task.tasks`, each group's threads (`signal->thread_head`), and each CPU's idle task
 * (`rq->idle`, `swapper/N`, pid 0). Lists are walked loop-safe (list-walk.ts), so a damaged
 * list gives a partial table plus warnings. Sorted as crash sorts: by pid, pid 0 by CPU.
 */
import { CrashlensError } from "../../errors.js";
import type { Kernel } from "../kernel.js";
import { cpuTopology, currentTask, percpuAddress } from "../percpu.js";
import { findField, readField, readSigned, type TaskLayout, taskLayout } from "./layout.js";
import { maxListEntries, walkList } from "./list-walk.js";
import { compareTasks } from "./select.js";
import { type StateName, stateBitsFor, stateName, type TaskStateBits } from "./state.js";

/** include/linux/sched.h: set on kernel threads (since v2.6.27) */
export const PF_KTHREAD = 0x00200000;
/** include/linux/sched.h: set while the task exits */
export const PF_EXITING = 0x00000004;

export interface Task {
  /** the task_struct */
  address: bigint;
  pid: number;
  tgid: number;
  /** the pid of task->parent, as crash's PPID column shows it */
  ppid: number;
  parent: bigint;
  cpu: number;
  /** `__state` (or `state`) and `exit_state` */
  state: number;
  exitState: number;
  /** crash's two-letter state */
  stateName: StateName;
  comm: string;
  flags: number;
  /** task->mm; 0 for kernel threads */
  mm: bigint;
  /** PF_KTHREAD: crash prints the comm as `[comm]` */
  kernelThread: boolean;
  /** `rq->curr` of its CPU: crash's `>` mark */
  active: boolean;
  /** the per-CPU idle task of `cpu` */
  idle: boolean;
  /** saved kernel stack pointer (thread.sp) for the unwinder */
  threadSp?: bigint;
  /** the kernel stack's lowest address (task->stack) */
  stack?: bigint;
  /** sched_info.last_arrival, ns of rq clock: when it last got a CPU */
  lastArrival?: bigint;
  prio?: number;
  /** task->on_rq (TASK_ON_RQ_QUEUED 1, TASK_ON_RQ_MIGRATING 2) */
  onRq?: number;
  /** task->signal (thread groups) */
  signal?: bigint;
}

export interface CpuRunqueue {
  cpu: number;
  /** &runqueues on this CPU */
  rq: bigint;
  /** rq->curr (or the per-CPU current task when the rq cannot be read) */
  curr?: bigint;
  idle?: bigint;
}

export interface TaskTable {
  /** sorted by pid, pid 0 by CPU */
  tasks: Task[];
  byAddress: Map<bigint, Task>;
  /** per CPU, from runqueues */
  cpus: CpuRunqueue[];
  warnings: string[];
  stateBits: TaskStateBits;
  /** milliseconds the walk took */
  elapsedMs: number;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** `task_state_array[]` strings (fs/proc/array.c), to pick the state-bit table */
async function readTaskStateArray(kernel: Kernel): Promise<string[] | undefined> {
  const at = (await kernel.symbols()).lookup("task_state_array")?.address;
  if (at === undefined) return undefined;
  const out: string[] = [];
  try {
    const pointers = await kernel.memory.words(at, 16);
    for (const p of pointers) {
      const text = await kernel.memory.cString(p, 24).catch(() => "");
      // entries look like "R (running)"; the array ends where that shape does
      if (!/^[A-Za-z] \([a-z ]+\)$/.test(text)) break;
      out.push(text);
    }
  } catch {
    return undefined;
  }
  return out;
}

/** per CPU: the runqueue address, rq->curr and rq->idle */
async function readCurrentAndIdle(kernel: Kernel, warnings: string[]): Promise<CpuRunqueue[]> {
  const btf = await kernel.btf();
  const currAt = findField(btf, "rq", "curr");
  const idleAt = findField(btf, "rq", "idle");
  const topology = await cpuTopology(kernel);
  warnings.push(...topology.warnings);
  const hasRunqueues = (await kernel.symbols()).lookup("runqueues") !== undefined;
  const out: CpuRunqueue[] = [];
  for (const cpu of topology.possible) {
    let rq = 0n;
    const entry: CpuRunqueue = { cpu, rq };
    if (hasRunqueues) {
      try {
        rq = await percpuAddress(kernel, "runqueues", cpu);
        entry.rq = rq;
        if (currAt !== undefined) entry.curr = await kernel.memory.u64(rq + BigInt(currAt.offset));
        if (idleAt !== undefined) entry.idle = await kernel.memory.u64(rq + BigInt(idleAt.offset));
      } catch (error) {
        warnings.push(`CPU ${cpu}: runqueue at ${hex(rq)} unreadable: ${(error as Error).message}`);
      }
    }
    if (entry.curr === undefined || entry.curr === 0n) {
      const current = await currentTask(kernel, cpu).catch(() => undefined);
      if (current !== undefined && current !== 0n) entry.curr = current;
    }
    out.push(entry);
  }
  return out;
}

interface Raw {
  address: bigint;
  bytes: Uint8Array;
}

/** Reads one task_struct whole; undefined (and a warning) when the dump lacks it. */
async function readRaw(
  kernel: Kernel,
  layout: TaskLayout,
  address: bigint,
  warnings: string[],
  why: string,
): Promise<Raw | undefined> {
  try {
    return { address, bytes: await kernel.memory.read(address, layout.span) };
  } catch (error) {
    warnings.push(`task ${hex(address)} (${why}) is unreadable: ${(error as Error).message}`);
    return undefined;
  }
}

function commOf(bytes: Uint8Array, layout: TaskLayout): string {
  const comm = bytes.subarray(layout.comm.offset, layout.comm.offset + layout.comm.size);
  const end = comm.indexOf(0);
  return Buffer.from(comm.subarray(0, end < 0 ? comm.length : end)).toString("latin1");
}

/**
 * Walks the task lists and builds the table. Library users call `taskTable(kernel)`, which
 * keeps the result on the kernel; this does the work each time.
 */
export async function readTaskTable(kernel: Kernel): Promise<TaskTable> {
  const started = performance.now();
  const warnings: string[] = [];
  const layout = await taskLayout(kernel);
  const symbols = await kernel.symbols();
  const initTask = symbols.lookup("init_task")?.address;
  if (initTask === undefined)
    throw new CrashlensError("not-found", "init_task is not in kallsyms: tasks cannot be listed");
  const read = kernel.memory.read;
  const cpus = await readCurrentAndIdle(kernel, warnings);
  const stateBits = stateBitsFor(await readTaskStateArray(kernel));

  const raws = new Map<bigint, Raw>();
  const order: bigint[] = [];
  const add = async (address: bigint, why: string): Promise<Raw | undefined> => {
    const known = raws.get(address);
    if (known !== undefined) return known;
    if (order.length >= maxListEntries) return undefined;
    const raw = await readRaw(kernel, layout, address, warnings, why);
    if (raw !== undefined) {
      raws.set(address, raw);
      order.push(address);
    }
    return raw;
  };
  /** a list node as the task holding it: `task 0x… (pid 100 "sh")`, read when not yet read */
  const describe = (offset: number) => async (node: bigint) => {
    const task = node - BigInt(offset);
    const known = raws.get(task);
    try {
      const pid = known
        ? readSigned(known.bytes, layout.pid)
        : await kernel.memory.s32(task + BigInt(layout.pid.offset));
      const comm = known
        ? commOf(known.bytes, layout)
        : commOf(await kernel.memory.read(task, layout.comm.offset + layout.comm.size), layout);
      // memory that is not a task_struct shows no believable name: leave it unnamed
      return /^[\x20-\x7e]{1,15}$/.test(comm)
        ? `task ${hex(task)} (pid ${pid} "${comm}")`
        : `task ${hex(task)}`;
    } catch {
      return `task ${hex(task)}`;
    }
  };

  // the group leaders: init_task, then init_task.tasks
  const leaders: bigint[] = [initTask];
  await add(initTask, "init_task");
  const tasksOffset = layout.tasks.offset;
  const walk = await walkList(read, initTask + BigInt(tasksOffset), {
    what: "init_task.tasks",
    describe: describe(tasksOffset),
  });
  warnings.push(...walk.warnings);
  for (const node of walk.nodes) leaders.push(node - BigInt(tasksOffset));

  // each leader's threads
  const threads = layout.threads;
  for (const leader of leaders) {
    const raw = await add(leader, "thread-group leader");
    if (raw === undefined) continue;
    let head: bigint;
    if (threads.via === "signal") {
      const signal = readField(raw.bytes, threads.signal);
      if (signal === 0n) continue; // a reaped task: no signal struct, no threads
      head = signal + BigInt(threads.head);
    } else head = leader + BigInt(threads.node.offset);
    const group = await walkList(read, head, {
      what: `the threads of ${await describe(0)(leader)}`,
      describe: describe(threads.node.offset),
      limit: maxListEntries - order.length,
    });
    warnings.push(...group.warnings);
    for (const node of group.nodes) await add(node - BigInt(threads.node.offset), "thread");
  }

  // each CPU's idle task (CPU 0's is init_task itself)
  const idle = new Map<bigint, number>();
  const active = new Set<bigint>();
  for (const entry of cpus) {
    if (entry.idle !== undefined && entry.idle !== 0n) {
      idle.set(entry.idle, entry.cpu);
      await add(entry.idle, `CPU ${entry.cpu} idle task`);
    }
    if (entry.curr !== undefined && entry.curr !== 0n) {
      active.add(entry.curr);
      if (!raws.has(entry.curr)) {
        warnings.push(`CPU ${entry.cpu}: the running task ${hex(entry.curr)} is on no task list`);
        await add(entry.curr, `CPU ${entry.cpu} current`);
      }
    }
  }

  const list: Task[] = [];
  for (const address of order) {
    const { bytes } = raws.get(address) as Raw;
    const state = Number(readField(bytes, layout.state) & 0xffffffffn);
    const exitState = layout.exitState === undefined ? 0 : readSigned(bytes, layout.exitState);
    const flags = Number(readField(bytes, layout.flags) & 0xffffffffn);
    const task: Task = {
      address,
      pid: readSigned(bytes, layout.pid),
      tgid: readSigned(bytes, layout.tgid),
      ppid: 0,
      parent: readField(bytes, layout.parent),
      cpu: layout.cpu === undefined ? 0 : readSigned(bytes, layout.cpu),
      state,
      exitState,
      stateName: stateName(state, exitState, stateBits),
      comm: commOf(bytes, layout),
      flags,
      mm: readField(bytes, layout.mm),
      kernelThread: (flags & PF_KTHREAD) !== 0,
      active: active.has(address),
      idle: idle.has(address),
    };
    if (layout.threadSp !== undefined) task.threadSp = readField(bytes, layout.threadSp);
    if (layout.stack !== undefined) task.stack = readField(bytes, layout.stack);
    if (layout.lastArrival !== undefined) task.lastArrival = readField(bytes, layout.lastArrival);
    if (layout.prio !== undefined) task.prio = readSigned(bytes, layout.prio);
    if (layout.onRq !== undefined) task.onRq = readSigned(bytes, layout.onRq);
    if (threads.via === "signal") task.signal = readField(bytes, threads.signal);
    list.push(task);
  }
  const byAddress = new Map(list.map((t) => [t.address, t]));
  for (const task of list) {
    const parent = byAddress.get(task.parent);
    if (parent !== undefined) task.ppid = parent.pid;
    else if (task.parent !== 0n) {
      const pid = await kernel.memory.s32(task.parent + BigInt(layout.pid.offset)).catch(() => 0);
      task.ppid = pid;
    }
  }
  list.sort(compareTasks);
  return {
    tasks: list,
    byAddress,
    cpus,
    warnings,
    stateBits,
    elapsedMs: performance.now() - started,
  };
}

/** The task table, computed once per kernel (the lead wires this as `kernel.tasks()`). */
export function taskTable(kernel: Kernel): Promise<TaskTable> {
  return kernel.facet("tasks", () => readTaskTable(kernel));
}

/** `sys`'s TASKS line: how many tasks crash's table holds (threads and idle tasks included) */
export async function taskCount(kernel: Kernel): Promise<number> {
  return (await taskTable(kernel)).tasks.length;
}
