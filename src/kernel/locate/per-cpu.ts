/**
 * @module kernel/locate/per-cpu
 * `__per_cpu_offset` and `runqueues` without data symbols. Each task's `se.cfs_rq` leads to
 * the runqueue of the CPU it last ran on (`cfs_rq->rq`, or `container_of(cfs_rq, struct rq,
 * cfs)` for the root group), and `rq->cpu` says which CPU that is. Every CPU's runqueue is
 * the per-CPU variable `runqueues` plus that CPU's offset, so the offsets array is the
 * aligned run of words in the image's data for which `rq[cpu] − offset[cpu]` is one value,
 * inside the image: that value is `runqueues`. A run that does not agree for every CPU whose
 * runqueue was seen is rejected.
 */
import type { Btf } from "../btf/index.js";
import { imageLayout, type LocateSource, scanRegion } from "./image.js";

/** how many tasks to read looking for runqueues (a few suffice; the list may be huge) */
const MAX_TASKS = 4096;

export interface LocatedPerCpu {
  /** the address of `__per_cpu_offset` */
  readonly offsetsAt: bigint;
  /** `__per_cpu_offset[0..cpus)` */
  readonly offsets: readonly bigint[];
  /** the per-CPU symbol `runqueues` (its value before a CPU's offset is added) */
  readonly runqueues: bigint;
  /** each CPU's `struct rq`, as the tasks' cfs_rq pointers gave them */
  readonly rqs: ReadonlyMap<number, bigint>;
}

/** CPU → runqueue address, from the tasks' scheduling entities; verified by `rq->cpu`. */
export async function runqueuesFromTasks(
  source: LocateSource,
  btf: Btf,
  initTask: bigint,
  cpuCount: number,
): Promise<Map<number, bigint>> {
  const memory = source.kernel.memory;
  const tasksAt = btf.offsetof("task_struct", "tasks");
  const cfsRqAt = btf.offsetof("task_struct", "se.cfs_rq");
  const rqOfCfs = btf.offsetof("cfs_rq", "rq");
  const cfsInRq = btf.offsetof("rq", "cfs");
  const cpuAt = btf.offsetof("rq", "cpu");
  const rqs = new Map<number, bigint>();
  if (tasksAt === undefined || cfsRqAt === undefined || cpuAt === undefined) return rqs;
  const head = initTask + BigInt(tasksAt);
  let node = head;
  for (let n = 0; n < MAX_TASKS && rqs.size < cpuCount; n++) {
    const task = node - BigInt(tasksAt);
    const cfsRq = await memory.u64(task + BigInt(cfsRqAt)).catch(() => 0n);
    if (cfsRq !== 0n) {
      const rq =
        rqOfCfs !== undefined
          ? await memory.u64(cfsRq + BigInt(rqOfCfs)).catch(() => 0n)
          : cfsInRq !== undefined
            ? cfsRq - BigInt(cfsInRq)
            : 0n;
      const cpu = rq === 0n ? -1 : await memory.s32(rq + BigInt(cpuAt)).catch(() => -1);
      if (cpu >= 0 && cpu < cpuCount && !rqs.has(cpu)) rqs.set(cpu, rq);
    }
    const next = await memory.u64(node).catch(() => 0n);
    if (next === 0n || next === head) break;
    node = next;
  }
  return rqs;
}

/**
 * Finds `__per_cpu_offset` and `runqueues` for the dump's `cpuCount` CPUs (its NT_PRSTATUS
 * notes). Undefined when no run of words agrees with the runqueues seen.
 */
export async function findPerCpu(
  source: LocateSource,
  btf: Btf,
  initTask: bigint,
  cpuCount: number,
): Promise<LocatedPerCpu | undefined> {
  const { kernel } = source;
  return kernel.facet("locate.per_cpu", async () => {
    const layout = await imageLayout(source);
    if (layout?.data === undefined || cpuCount < 1) return undefined;
    const rqs = await runqueuesFromTasks(source, btf, initTask, cpuCount);
    const seen = [...rqs.entries()];
    const first = seen[0];
    if (first === undefined) return undefined;
    // .data..percpu is part of the image (arm64: in the init section; x86: absolute 0-based)
    const image = { start: layout.text.start, end: layout.data.end };
    let found: LocatedPerCpu | undefined;
    await scanRegion(kernel, layout.data, (bytes, address) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const words = Math.floor(bytes.length / 8) - cpuCount + 1;
      const skew = Number((8n - (address % 8n)) % 8n);
      for (let i = 0; i < words; i++) {
        const at = skew + i * 8;
        if (at + cpuCount * 8 > bytes.length) break;
        const w0 = view.getBigUint64(at + first[0] * 8, true);
        const runqueues = BigInt.asUintN(64, first[1] - w0);
        if (runqueues < image.start || runqueues >= image.end) continue;
        const offsets: bigint[] = [];
        let agree = true;
        for (let cpu = 0; cpu < cpuCount && agree; cpu++) {
          const w = view.getBigUint64(at + cpu * 8, true);
          offsets.push(w);
          const rq = rqs.get(cpu);
          if (rq !== undefined) agree = BigInt.asUintN(64, rq - w) === runqueues;
          else agree = w !== 0n; // a CPU no task ran on still has an offset
        }
        // with one CPU a single word proves little: demand distinct offsets for several
        if (!agree || (cpuCount > 1 && new Set(offsets).size !== cpuCount)) continue;
        found = { offsetsAt: address + BigInt(at), offsets, runqueues, rqs };
        return true;
      }
      return false;
    });
    return found;
  });
}
