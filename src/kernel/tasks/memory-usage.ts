/**
 * @module kernel/tasks/memory-usage
 * VSZ, RSS and %MEM as crash's get_task_mem_usage() computes them: `mm->total_vm` pages;
 * resident pages = the mm's file, anon and shmem counters (MM_SWAPENTS left out), plus, while
 * the kernel kept per-thread deltas (SPLIT_RSS_COUNTING), every thread's
 * `task->rss_stat.count[]`; %MEM = resident × 100 / the nodes' present pages (what crash's
 * MEMORY line counts, not totalram_pages). Kernel threads, zombies and exiting tasks use none.
 */
import type { Kernel } from "../kernel.js";
import { cpuTopology } from "../percpu.js";
import { findField } from "./layout.js";
import { PF_EXITING, type Task } from "./tasks.js";

/**
 * include/linux/mm_types_task.h: MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2, MM_SHMEMPAGES 3
 * (since v4.5). The enum is anonymous, so BTF cannot name it; swap entries are not resident.
 */
const MM_SWAPENTS = 2;

export interface TaskMemory {
  /** mm->total_vm, pages */
  totalVm: bigint;
  /** resident pages */
  rss: bigint;
}

export interface MemoryUsage {
  /** by task address; tasks without an mm are absent */
  byTask: Map<bigint, TaskMemory>;
  /** the denominator of %MEM, pages */
  totalPages: bigint;
  pageSize: number;
  warnings: string[];
}

/**
 * The pages crash's MEMORY line and %MEM count: the sum of node_present_pages over node_data[]
 * (or contig_page_data), else totalram_pages; 0n when none can be read.
 */
export async function readPresentPages(kernel: Kernel, warnings: string[] = []): Promise<bigint> {
  const symbols = await kernel.symbols();
  const btf = await kernel.btf();
  const present = findField(btf, "pglist_data", "node_present_pages");
  if (present !== undefined) {
    let total = 0n;
    const nodeData = symbols.lookup("node_data")?.address;
    const contig = symbols.lookup("contig_page_data")?.address;
    try {
      if (nodeData !== undefined) {
        const idsAt = symbols.lookup("nr_node_ids")?.address;
        const nodes = idsAt === undefined ? 1 : await kernel.memory.u32(idsAt);
        const pointers = await kernel.memory.words(nodeData, Math.min(Math.max(nodes, 1), 1024));
        for (const node of pointers)
          if (node !== 0n) total += await kernel.memory.u64(node + BigInt(present.offset));
      } else if (contig !== undefined)
        total = await kernel.memory.u64(contig + BigInt(present.offset));
    } catch (error) {
      warnings.push(`node_present_pages could not be read: ${(error as Error).message}`);
      total = 0n;
    }
    if (total > 0n) return total;
  }
  // Linux kernel commit ca79b0c211af ("mm: convert totalram_pages and totalhigh_pages variables
  // to atomic") (in v5.0) renamed totalram_pages to _totalram_pages
  for (const name of ["_totalram_pages", "totalram_pages"]) {
    const at = symbols.lookup(name)?.address;
    if (at === undefined) continue;
    const value = await kernel.memory.u64(at).catch(() => 0n);
    if (value > 0n) return value;
  }
  return 0n;
}

/** the resident counters of one mm: atomic_long_t count[] (≤ v6.1) or percpu_counter[] (v6.2+) */
async function mmCounters(kernel: Kernel, mm: bigint): Promise<bigint[] | undefined> {
  const btf = await kernel.btf();
  // Linux kernel commit f1a7941243c1 ("mm: convert mm's rss stats into percpu_counter") (in v6.2)
  const legacy = findField(btf, "mm_struct", "rss_stat.count");
  if (legacy !== undefined) {
    const words = await kernel.memory.words(mm + BigInt(legacy.offset), legacy.size / 8);
    return words.map((w) => BigInt.asIntN(64, w));
  }
  const array = findField(btf, "mm_struct", "rss_stat");
  const count = findField(btf, "percpu_counter", "count");
  const counters = findField(btf, "percpu_counter", "counters");
  const size = btf.find("struct percpu_counter")?.size;
  if (array === undefined || count === undefined || counters === undefined || size === undefined)
    return undefined;
  const topology = await cpuTopology(kernel);
  const out: bigint[] = [];
  for (let i = 0; i < array.size / size; i++) {
    const at = mm + BigInt(array.offset + i * size);
    let sum = BigInt.asIntN(64, await kernel.memory.u64(at + BigInt(count.offset)));
    const percpu = await kernel.memory.u64(at + BigInt(counters.offset));
    for (const cpu of topology.possible) {
      const offset = topology.offsets[cpu];
      if (offset === undefined || percpu === 0n) continue;
      sum += BigInt(await kernel.memory.s32(BigInt.asUintN(64, percpu + offset)).catch(() => 0));
    }
    out.push(sum);
  }
  return out;
}

/** VSZ/RSS of every task with an mm, plus the %MEM denominator. */
export async function readMemoryUsage(
  kernel: Kernel,
  tasks: readonly Task[],
): Promise<MemoryUsage> {
  const warnings: string[] = [];
  const btf = await kernel.btf();
  const pageSize = Number(kernel.view.vmcoreinfo.pageSize ?? 4096);
  const totalPages = await readPresentPages(kernel, warnings);
  const totalVm = findField(btf, "mm_struct", "total_vm");
  const taskRss = findField(btf, "task_struct", "rss_stat.count");
  const byTask = new Map<bigint, TaskMemory>();
  const perMm = new Map<bigint, TaskMemory | undefined>();
  const resident = (counters: readonly bigint[]) =>
    counters.reduce((sum, v, i) => (i === MM_SWAPENTS ? sum : sum + v), 0n);
  for (const task of tasks) {
    if (task.mm === 0n || perMm.has(task.mm)) continue;
    try {
      const vm =
        totalVm === undefined ? 0n : await kernel.memory.u64(task.mm + BigInt(totalVm.offset));
      const counters = await mmCounters(kernel, task.mm);
      perMm.set(task.mm, { totalVm: vm, rss: counters === undefined ? 0n : resident(counters) });
    } catch (error) {
      perMm.set(task.mm, undefined);
      warnings.push(
        `mm ${task.mm.toString(16)} of pid ${task.pid} is unreadable: ${(error as Error).message}`,
      );
    }
  }
  // SPLIT_RSS_COUNTING: each thread holds deltas not yet folded into the mm
  if (taskRss !== undefined) {
    for (const task of tasks) {
      const usage = perMm.get(task.mm);
      if (task.mm === 0n || usage === undefined) continue;
      try {
        const bytes = await kernel.memory.read(task.address + BigInt(taskRss.offset), taskRss.size);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const counters = Array.from({ length: taskRss.size / 4 }, (_, i) =>
          BigInt(view.getInt32(i * 4, true)),
        );
        usage.rss += resident(counters);
      } catch {
        // the task_struct was read moments ago; a fault here leaves the mm's own counters
      }
    }
  }
  for (const task of tasks) {
    const usage = perMm.get(task.mm);
    if (task.mm === 0n || usage === undefined || task.kernelThread) continue;
    if (task.exitState !== 0 || (task.flags & PF_EXITING) !== 0) continue;
    byTask.set(task.address, usage);
  }
  return { byTask, totalPages, pageSize, warnings };
}

/** crash's ps numbers for one task: %MEM (0.0 when unknown), VSZ and RSS in KiB */
export function psMemory(
  usage: MemoryUsage,
  task: Task,
): { percent: number; vszKiB: bigint; rssKiB: bigint } {
  const m = usage.byTask.get(task.address);
  if (m === undefined) return { percent: 0, vszKiB: 0n, rssKiB: 0n };
  const page = BigInt(usage.pageSize);
  const rss = m.rss < 0n ? 0n : m.rss;
  return {
    percent: usage.totalPages > 0n ? (Number(rss) * 100) / Number(usage.totalPages) : 0,
    vszKiB: (m.totalVm * page) / 1024n,
    rssKiB: (rss * page) / 1024n,
  };
}

/** computed once per kernel (the lead may wire it as `kernel.taskMemory()`) */
export function taskMemoryUsage(kernel: Kernel, tasks: readonly Task[]): Promise<MemoryUsage> {
  return kernel.facet("taskMemoryUsage", () => readMemoryUsage(kernel, tasks));
}
