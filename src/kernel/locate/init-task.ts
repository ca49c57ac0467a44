/**
 * @module kernel/locate/init-task
 * `init_task` without a data symbol: the boot CPU's idle task is a static `task_struct` in
 * the image's data (init/init_task.c) whose comm is "swapper" (renamed "swapper/0" by
 * init_idle()), pid 0, and whose `tasks` list is the head of every task. A candidate is
 * kept only when all of that holds and `tasks.next->prev` points back at it.
 */
import type { Btf } from "../btf/index.js";
import { imageLayout, type LocateSource, scanRegion } from "./image.js";

/** the comm names init_task has had: "swapper" until init_idle() renames it per CPU */
const INIT_COMMS = ["swapper/0", "swapper"] as const;

/** bytes of each comm name plus its NUL, the way `task_struct.comm` holds it */
const patterns = INIT_COMMS.map((name) => Buffer.from(`${name}\0`, "latin1"));

interface TaskOffsets {
  readonly comm: number;
  readonly pid: number;
  readonly tasks: number;
}

function offsetsOf(btf: Btf): TaskOffsets | undefined {
  const comm = btf.offsetof("task_struct", "comm");
  const pid = btf.offsetof("task_struct", "pid");
  const tasks = btf.offsetof("task_struct", "tasks");
  return comm === undefined || pid === undefined || tasks === undefined
    ? undefined
    : { comm, pid, tasks };
}

/** Checks that `at` is a task_struct shaped like init_task. */
export async function isInitTask(source: LocateSource, btf: Btf, at: bigint): Promise<boolean> {
  const offsets = offsetsOf(btf);
  if (offsets === undefined) return false;
  const memory = source.kernel.memory;
  try {
    if ((await memory.s32(at + BigInt(offsets.pid))) !== 0) return false;
    const comm = await memory.cString(at + BigInt(offsets.comm), 16);
    if (!(INIT_COMMS as readonly string[]).includes(comm)) return false;
    const head = at + BigInt(offsets.tasks);
    const [next, prev] = await memory.words(head, 2);
    if (next === undefined || prev === undefined || next === 0n || prev === 0n) return false;
    // both neighbours must link back: a stale copy of the bytes would not
    return (await memory.u64(next + 8n)) === head && (await memory.u64(prev)) === head;
  } catch {
    return false;
  }
}

/** The address of `init_task`, found in the image's data and verified; undefined if absent. */
export async function findInitTask(source: LocateSource, btf: Btf): Promise<bigint | undefined> {
  const { kernel } = source;
  return kernel.facet("locate.init_task", async () => {
    const layout = await imageLayout(source);
    const offsets = offsetsOf(btf);
    if (layout?.data === undefined || offsets === undefined) return undefined;
    const candidates: bigint[] = [];
    await scanRegion(kernel, layout.data, (bytes, address) => {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const pattern of patterns) {
        for (let i = buffer.indexOf(pattern); i >= 0; i = buffer.indexOf(pattern, i + 1)) {
          const task = address + BigInt(i - offsets.comm);
          if (task % 8n === 0n) candidates.push(task);
        }
      }
      return false;
    });
    for (const task of candidates) if (await isInitTask(source, btf, task)) return task;
    return undefined;
  });
}
