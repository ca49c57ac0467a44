/**
 * @module kernel/tasks/runqueue
 * What each CPU's runqueue holds (kernel/sched/sched.h `struct rq`), as crash's `runq` walks
 * it: the running task, the RT priority array's queues (`rq->rt.active.queue[prio]`, lists of
 * `sched_rt_entity.run_list`) and the CFS red-black tree (`rq->cfs.tasks_timeline`, nodes
 * `sched_entity.run_node`), descending into group runqueues (`my_q`) the way crash does. Every
 * walk is bounded and cycle-safe.
 */
import type { Kernel } from "../kernel.js";
import { findField } from "./layout.js";
import { walkList } from "./list-walk.js";
import { type TaskTable, taskTable } from "./tasks.js";

/** warnings kept per report; damaged memory can fail on each of 100 RT queue heads per CPU */
const MAX_WARNINGS = 20;
/** the most rb-tree nodes visited per CPU (pid_max) */
const MAX_RB_NODES = 4_194_304;

export interface QueuedTask {
  task: bigint;
  /** RT: the queue index (crash prints it as the priority); CFS: task->prio */
  prio: number;
}

export interface CpuRunqueueContents {
  cpu: number;
  rq: bigint;
  /** rq->curr */
  curr?: bigint;
  /** rq->nr_running */
  nrRunning?: number;
  /** rq->clock, ns: what `runq -t`/`-m` and `ps -m` measure last-run times against */
  clock?: bigint;
  /** &rq->rt.active */
  rtArray: bigint;
  rt: QueuedTask[];
  /** &rq->cfs.tasks_timeline */
  cfsRoot: bigint;
  cfs: QueuedTask[];
}

export interface RunqueueReport {
  cpus: CpuRunqueueContents[];
  warnings: string[];
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** In-order walk of an rb-tree from its root pointer; bounded, cycle-safe. */
async function rbInOrder(
  kernel: Kernel,
  root: bigint,
  offsets: { left: number; right: number },
  what: string,
  warnings: string[],
): Promise<bigint[]> {
  const out: bigint[] = [];
  const seen = new Set<bigint>();
  const stack: bigint[] = [];
  let node = root;
  try {
    while (node !== 0n || stack.length > 0) {
      while (node !== 0n) {
        if (seen.has(node) || seen.size >= MAX_RB_NODES) {
          warnings.push(
            `${what}: rb-tree node ${hex(node)} is reached twice (a cycle); the walk stops`,
          );
          return out;
        }
        seen.add(node);
        stack.push(node);
        node = await kernel.memory.u64(node + BigInt(offsets.left));
      }
      node = stack.pop() as bigint;
      out.push(node);
      node = await kernel.memory.u64(node + BigInt(offsets.right));
    }
  } catch (error) {
    warnings.push(`${what}: rb-tree node ${hex(node)} is unreadable: ${(error as Error).message}`);
  }
  return out;
}

/** Reads every CPU's RT and CFS queues. */
export async function readRunqueues(kernel: Kernel, table?: TaskTable): Promise<RunqueueReport> {
  const tasks = table ?? (await taskTable(kernel));
  const btf = await kernel.btf();
  const warnings: string[] = [];
  const f = findField;
  const nrRunning = f(btf, "rq", "nr_running");
  const clock = f(btf, "rq", "clock");
  const rtActive = f(btf, "rq", "rt.active");
  const queue = f(btf, "rt_prio_array", "queue");
  // struct list_head (include/linux/types.h): two pointers
  const listHead = btf.find("struct list_head")?.size ?? 16;
  const queues = queue === undefined ? 0 : queue.size / listHead;
  const rtRunList = f(btf, "sched_rt_entity", "run_list");
  const rtMyQ = f(btf, "sched_rt_entity", "my_q");
  const taskRt = f(btf, "task_struct", "rt");
  const rtRqActive = f(btf, "rt_rq", "active");
  const cfs = f(btf, "rq", "cfs");
  // Linux kernel commit bfb068892d30 ("sched/fair: replace cfs_rq->rb_root with
  // rb_root_cached") (in v4.14) moved rb_leftmost into tasks_timeline
  const timeline = f(btf, "cfs_rq", "tasks_timeline");
  const leftmost = f(btf, "cfs_rq", "tasks_timeline.rb_leftmost", "rb_leftmost");
  const rootNode = f(btf, "cfs_rq", "tasks_timeline.rb_root.rb_node", "tasks_timeline.rb_node");
  const cfsCurr = f(btf, "cfs_rq", "curr");
  const seRunNode = f(btf, "sched_entity", "run_node");
  const seMyQ = f(btf, "sched_entity", "my_q");
  const taskSe = f(btf, "task_struct", "se");
  const taskPrio = f(btf, "task_struct", "prio");
  const left = f(btf, "rb_node", "rb_left");
  const right = f(btf, "rb_node", "rb_right");

  const prioOf = async (task: bigint) =>
    taskPrio === undefined
      ? 0
      : await kernel.memory.s32(task + BigInt(taskPrio.offset)).catch(() => 0);

  const rtQueue = async (array: bigint, what: string, depth: number): Promise<QueuedTask[]> => {
    if (queue === undefined || rtRunList === undefined || taskRt === undefined || depth > 16)
      return [];
    const out: QueuedTask[] = [];
    // one read of every queue head; only the non-empty ones (next != head) are walked
    const heads = await kernel.memory
      .words(array + BigInt(queue.offset), queues * 2)
      .catch(() => undefined);
    if (heads === undefined) {
      warnings.push(`${what}: the priority array at ${hex(array)} is unreadable`);
      return out;
    }
    for (let i = 0; i < queues; i++) {
      const head = array + BigInt(queue.offset + i * listHead);
      const at = (i * listHead) / 8;
      if (heads[at] === head && heads[at + 1] === head) continue;
      const walk = await walkList(kernel.memory.read, head, { what: `${what} queue[${i}]` });
      warnings.push(...walk.warnings);
      for (const node of walk.nodes) {
        const se = node - BigInt(rtRunList.offset);
        const myQ =
          rtMyQ === undefined
            ? 0n
            : await kernel.memory.u64(se + BigInt(rtMyQ.offset)).catch(() => 0n);
        if (myQ !== 0n && rtRqActive !== undefined) {
          out.push(...(await rtQueue(myQ + BigInt(rtRqActive.offset), `${what} group`, depth + 1)));
          continue;
        }
        out.push({ task: se - BigInt(taskRt.offset), prio: i });
      }
    }
    return out;
  };

  const cfsQueue = async (cfsRq: bigint, what: string, depth: number, seen: Set<bigint>) => {
    const out: QueuedTask[] = [];
    if (
      depth > 16 ||
      timeline === undefined ||
      rootNode === undefined ||
      seRunNode === undefined ||
      taskSe === undefined ||
      left === undefined ||
      right === undefined
    )
      return out;
    // a group's running entity is not in its tree: crash descends into curr->my_q first
    if (seMyQ !== undefined && cfsCurr !== undefined) {
      const curr = await kernel.memory.u64(cfsRq + BigInt(cfsCurr.offset)).catch(() => 0n);
      if (curr !== 0n) {
        const myQ = await kernel.memory.u64(curr + BigInt(seMyQ.offset)).catch(() => 0n);
        if (myQ !== 0n) out.push(...(await cfsQueue(myQ, `${what} group`, depth + 1, seen)));
      }
    }
    const first =
      leftmost === undefined
        ? 1n
        : await kernel.memory.u64(cfsRq + BigInt(leftmost.offset)).catch(() => 0n);
    if (first === 0n) return out;
    const root = await kernel.memory.u64(cfsRq + BigInt(rootNode.offset)).catch(() => 0n);
    const nodes = await rbInOrder(
      kernel,
      root,
      { left: left.offset, right: right.offset },
      what,
      warnings,
    );
    for (const node of nodes) {
      const se = node - BigInt(seRunNode.offset);
      if (seMyQ !== undefined) {
        const myQ = await kernel.memory.u64(se + BigInt(seMyQ.offset)).catch(() => 0n);
        if (myQ !== 0n) {
          out.push(...(await cfsQueue(myQ, `${what} group`, depth + 1, seen)));
          continue;
        }
      }
      const task = se - BigInt(taskSe.offset);
      if (seen.has(task)) {
        warnings.push(`${what}: duplicate CFS runqueue node: task ${hex(task)}`);
        return out;
      }
      seen.add(task);
      out.push({ task, prio: await prioOf(task) });
    }
    return out;
  };

  const cpus: CpuRunqueueContents[] = [];
  for (const entry of tasks.cpus) {
    const rq = entry.rq;
    const contents: CpuRunqueueContents = {
      cpu: entry.cpu,
      rq,
      rtArray: rq + BigInt(rtActive?.offset ?? 0),
      rt: [],
      cfsRoot: rq + BigInt((cfs?.offset ?? 0) + (timeline?.offset ?? 0)),
      cfs: [],
    };
    if (entry.curr !== undefined) contents.curr = entry.curr;
    if (rq !== 0n) {
      if (nrRunning !== undefined)
        contents.nrRunning = await kernel.memory.u32(rq + BigInt(nrRunning.offset)).catch(() => 0);
      if (clock !== undefined) {
        const value = await kernel.memory.u64(rq + BigInt(clock.offset)).catch(() => undefined);
        if (value !== undefined) contents.clock = value;
      }
      contents.rt = await rtQueue(contents.rtArray, `CPU ${entry.cpu} RT`, 0);
      if (cfs !== undefined)
        contents.cfs = await cfsQueue(
          rq + BigInt(cfs.offset),
          `CPU ${entry.cpu} CFS`,
          0,
          new Set(),
        );
    }
    cpus.push(contents);
  }
  // damaged queues can fail on every head: keep the report readable
  if (warnings.length > MAX_WARNINGS)
    warnings.splice(
      MAX_WARNINGS,
      warnings.length - MAX_WARNINGS,
      `… and ${warnings.length - MAX_WARNINGS} more`,
    );
  return { cpus, warnings };
}
