/**
 * @module kernel/tasks/layout
 * Where the task, signal, mm and runqueue fields the shell needs sit, read from the dump's BTF
 * once. Where a member moved across versions the newest path is tried first, with the kernel
 * commit that moved it; a missing optional member leaves its field undefined.
 */
import { CrashlensError } from "../../errors.js";
import type { Btf } from "../btf/index.js";
import type { Kernel } from "../kernel.js";

export interface Field {
  offset: number;
  /** bytes */
  size: number;
  /** the member path that matched */
  path: string;
}

export interface TaskLayout {
  /** sizeof(struct task_struct) */
  size: number;
  /** bytes from the start that hold every field below: what the task walk reads per task */
  span: number;
  pid: Field;
  tgid: Field;
  comm: Field;
  state: Field;
  exitState?: Field;
  flags: Field;
  mm: Field;
  parent: Field;
  realParent?: Field;
  cpu?: Field;
  tasks: Field;
  /** thread list: signal->thread_head of task->thread_node, or the older task->thread_group */
  threads:
    | { via: "signal"; signal: Field; head: number; node: Field }
    | { via: "group"; node: Field };
  threadSp?: Field;
  stack?: Field;
  lastArrival?: Field;
  prio?: Field;
  /** per-thread RSS deltas (SPLIT_RSS_COUNTING, gone in v6.2): task_struct.rss_stat.count */
  taskRss?: Field;
  /** task->on_rq: queued on a runqueue (`runq -d`) */
  onRq?: Field;
  /** sched_entity run_node and sched_rt_entity run_list, for the runqueue walk */
  seRunNode?: number;
  rtRunList?: number;
}

const POINTER = 8;

/** the first path that resolves in `struct name`, with its size */
export function findField(btf: Btf, struct: string, ...paths: string[]): Field | undefined {
  const type = btf.find(`struct ${struct}`);
  if (type === undefined) return undefined;
  for (const path of paths) {
    const location = btf.memberPath(type.id, path);
    if (location === undefined) continue;
    const size = btf.sizeof(location.type) ?? POINTER;
    return { offset: Math.floor(location.bitOffset / 8), size, path };
  }
  return undefined;
}

function required(field: Field | undefined, struct: string, paths: string): Field {
  if (field === undefined)
    throw new CrashlensError("not-found", `BTF has no member ${paths} in struct ${struct}`);
  return field;
}

export function taskLayout(kernel: Kernel): Promise<TaskLayout> {
  return kernel.facet("taskLayout", async () => {
    const btf = await kernel.btf();
    const task = btf.find("struct task_struct");
    if (task?.size === undefined)
      throw new CrashlensError("not-found", "BTF has no struct task_struct");
    const f = (...paths: string[]) => findField(btf, "task_struct", ...paths);
    const r = (...paths: string[]) => required(f(...paths), "task_struct", paths.join(" or "));
    const threadNode = f("thread_node");
    const signalHead = findField(btf, "signal_struct", "thread_head");
    // Linux kernel commit 0c740d0afc3b ("introduce for_each_thread() to replace the buggy
    // while_each_thread()") (in v3.14) added signal->thread_head; commit 8e1f385104ac ("kill
    // task_struct->thread_group") (in v6.7) removed the older ring.
    const threads: TaskLayout["threads"] =
      threadNode !== undefined && signalHead !== undefined
        ? { via: "signal", signal: r("signal"), head: signalHead.offset, node: threadNode }
        : { via: "group", node: r("thread_group") };
    const se = f("se.run_node");
    const rt = f("rt.run_list");
    const layout: TaskLayout = {
      size: task.size,
      span: task.size,
      pid: r("pid"),
      tgid: r("tgid"),
      comm: r("comm"),
      // Linux kernel commit 2f064a59a11f ("sched: Change task_struct::state") (in v5.14)
      // renamed the long `state` to the unsigned int `__state`
      state: r("__state", "state"),
      flags: r("flags"),
      mm: r("mm"),
      // crash's PPID is task->parent (the ptracer while traced), as crash's store_context reads it
      parent: r("parent", "real_parent"),
      tasks: r("tasks"),
      threads,
    };
    const optional: [keyof TaskLayout, string[]][] = [
      ["exitState", ["exit_state"]],
      ["realParent", ["real_parent"]],
      // Linux kernel commit bcf9033e5449 ("sched: move CPU field back into thread_info if
      // THREAD_INFO_IN_TASK=y") (in v5.16) moved task->cpu into thread_info
      ["cpu", ["thread_info.cpu", "cpu"]],
      ["threadSp", ["thread.sp"]],
      ["stack", ["stack"]],
      ["lastArrival", ["sched_info.last_arrival"]],
      ["prio", ["prio"]],
      ["onRq", ["on_rq"]],
      // Linux kernel commit f1a7941243c1 ("mm: convert mm's rss stats into percpu_counter")
      // (in v6.2) removed the per-thread counters
      ["taskRss", ["rss_stat.count"]],
    ];
    for (const [key, paths] of optional) {
      const field = f(...paths);
      if (field !== undefined) (layout as unknown as Record<string, Field>)[key] = field;
    }
    // read no more of each task than the fields need (thread.sp lies ~5 KiB into a 9.5 KiB struct)
    const fields = Object.values(layout).filter(
      (v): v is Field => typeof v === "object" && v !== null && "offset" in v,
    );
    if (threads.via === "signal") fields.push(threads.signal, threads.node);
    else fields.push(threads.node);
    layout.span = Math.min(task.size, Math.max(...fields.map((x) => x.offset + x.size)));
    if (se !== undefined) layout.seRunNode = se.offset;
    if (rt !== undefined) layout.rtRunList = rt.offset;
    return layout;
  });
}

/** unsigned little-endian integer of `field.size` bytes at `field.offset` in `bytes` */
export function readField(bytes: Uint8Array, field: Field): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (field.size) {
    case 1:
      return BigInt(view.getUint8(field.offset));
    case 2:
      return BigInt(view.getUint16(field.offset, true));
    case 4:
      return BigInt(view.getUint32(field.offset, true));
    default:
      return view.getBigUint64(field.offset, true);
  }
}

/** a signed field (pid_t, int) */
export function readSigned(bytes: Uint8Array, field: Field): number {
  const raw = readField(bytes, field);
  return Number(BigInt.asIntN(field.size * 8, raw));
}
