/**
 * @module kernel/percpu
 * Per-CPU variables and CPU masks, read from the dump: `__per_cpu_offset[cpu]` plus a per-CPU
 * symbol's value (include/linux/percpu-defs.h `per_cpu_ptr`), and the possible/online masks
 * that say which CPUs exist. Works for both kallsyms flavours: with
 * CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64 until v6.15) per-CPU symbols are small absolute
 * offsets from `__per_cpu_start` (= 0); otherwise they are addresses inside the image's
 * `.data..percpu`. Either way the per-CPU address is the symbol's value plus the CPU's offset.
 */
import { CrashlensError } from "../errors.js";
import type { Kernel } from "./kernel.js";

/** CONFIG_NR_CPUS can be 8192 (Debian, RHEL); a damaged nr_cpu_ids must not allocate more */
const MAX_CPUS = 8192;

export interface CpuTopology {
  /** `nr_cpu_ids`: one past the highest possible CPU number */
  nrCpuIds: number;
  /** `__per_cpu_offset[0..nrCpuIds)`; undefined entries could not be read */
  offsets: (bigint | undefined)[];
  /** CPUs set in `__cpu_possible_mask` (all of 0..nrCpuIds-1 when the mask is unreadable) */
  possible: number[];
  /** CPUs set in `__cpu_online_mask`; a panic's smp_send_stop() clears the stopped CPUs */
  online: number[];
  /** `__num_online_cpus` (v5.9+), else the online mask's weight */
  numOnline: number;
  warnings: string[];
}

/** `name` in kallsyms, or undefined */
async function symbolValue(kernel: Kernel, name: string): Promise<bigint | undefined> {
  return (await kernel.symbols()).lookup(name)?.address;
}

/**
 * Reads a cpumask by the first symbol that exists. Linux kernel commit c4c54dd1caf1
 * ("kernel/cpu.c: change type of cpu_possible_bits and friends") (in v4.5) renamed
 * `cpu_*_bits` to `__cpu_*_mask`; try the newest name first.
 */
async function readMask(
  kernel: Kernel,
  names: readonly string[],
  nrCpuIds: number,
): Promise<number[] | undefined> {
  for (const name of names) {
    const at = await symbolValue(kernel, name);
    if (at === undefined) continue;
    try {
      const words = await kernel.memory.words(at, Math.ceil(nrCpuIds / 64));
      const cpus: number[] = [];
      for (let cpu = 0; cpu < nrCpuIds; cpu++) {
        const word = words[cpu >> 6] as bigint;
        if ((word >> BigInt(cpu & 63)) & 1n) cpus.push(cpu);
      }
      return cpus;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The CPUs the kernel knows about and their per-CPU offsets (computed once per kernel). */
export function cpuTopology(kernel: Kernel): Promise<CpuTopology> {
  return kernel.facet("cpuTopology", async () => {
    const warnings: string[] = [];
    let nrCpuIds = kernel.view.cpus.length || 1;
    const idsAt = await symbolValue(kernel, "nr_cpu_ids");
    if (idsAt !== undefined) {
      try {
        const value = await kernel.memory.u32(idsAt);
        if (value >= 1 && value <= MAX_CPUS) nrCpuIds = value;
        else warnings.push(`nr_cpu_ids is ${value}; using ${nrCpuIds} (the dump's CPU notes)`);
      } catch (error) {
        warnings.push(`nr_cpu_ids could not be read: ${(error as Error).message}`);
      }
    }
    const offsets: (bigint | undefined)[] = new Array(nrCpuIds).fill(undefined);
    const offsetsAt = await symbolValue(kernel, "__per_cpu_offset");
    if (offsetsAt === undefined) {
      // a uniprocessor build: per-CPU variables live at their link addresses
      offsets.fill(0n);
    } else {
      try {
        const words = await kernel.memory.words(offsetsAt, nrCpuIds);
        words.forEach((w, i) => {
          offsets[i] = w;
        });
      } catch (error) {
        warnings.push(`__per_cpu_offset could not be read: ${(error as Error).message}`);
      }
    }
    const all = Array.from({ length: nrCpuIds }, (_, i) => i);
    const possible =
      (await readMask(kernel, ["__cpu_possible_mask", "cpu_possible_bits"], nrCpuIds)) ?? all;
    const onlineMask = await readMask(
      kernel,
      ["__cpu_online_mask", "cpu_online_bits", "cpu_online_map"],
      nrCpuIds,
    );
    if (onlineMask === undefined) warnings.push("the online CPU mask could not be read");
    const online = onlineMask ?? possible;
    let numOnline = online.length;
    // Linux kernel commit 0c09ab96fc82 ("cpu/hotplug: Cache number of online CPUs") (in v5.9)
    const numAt = await symbolValue(kernel, "__num_online_cpus");
    if (numAt !== undefined) {
      const value = await kernel.memory.u32(numAt).catch(() => undefined);
      if (value !== undefined && value <= nrCpuIds) numOnline = value;
    }
    return { nrCpuIds, offsets, possible, online, numOnline, warnings };
  });
}

/**
 * The address of a per-CPU variable on `cpu`: `symbolOrOffset` is a per-CPU symbol's name or
 * its value (an offset in absolute-percpu kallsyms). Throws `not-found` for an unknown symbol
 * or a CPU with no per-CPU area.
 */
export async function percpuAddress(
  kernel: Kernel,
  symbolOrOffset: string | bigint,
  cpu: number,
): Promise<bigint> {
  let value: bigint;
  if (typeof symbolOrOffset === "string") {
    const found = await symbolValue(kernel, symbolOrOffset);
    if (found === undefined)
      throw new CrashlensError("not-found", `per-CPU symbol ${symbolOrOffset} is not in kallsyms`);
    value = found;
  } else value = symbolOrOffset;
  const { offsets, nrCpuIds } = await cpuTopology(kernel);
  const offset = offsets[cpu];
  if (offset === undefined)
    throw new CrashlensError(
      "not-found",
      cpu < 0 || cpu >= nrCpuIds
        ? `CPU ${cpu} does not exist (nr_cpu_ids is ${nrCpuIds})`
        : `CPU ${cpu} has no per-CPU offset (__per_cpu_offset[${cpu}] is unreadable)`,
    );
  return BigInt.asUintN(64, value + offset);
}

/** A `(symbol, cpu) → address | undefined` lookup, the shape src/kernel/stacks.ts takes. */
export function percpuLookup(
  kernel: Kernel,
): (symbol: string, cpu: number) => Promise<bigint | undefined> {
  return (symbol, cpu) => percpuAddress(kernel, symbol, cpu).catch(() => undefined);
}

/**
 * Each CPU's `current` task pointer. Linux kernel commit 7443b296e699 ("x86/percpu: Move
 * current_task to percpu hot section") (in v6.2) moved the per-CPU `current_task` into
 * `pcpu_hot.current_task`; try the newest layout first.
 */
export async function currentTask(kernel: Kernel, cpu: number): Promise<bigint | undefined> {
  const symbols = await kernel.symbols();
  if (symbols.lookup("pcpu_hot") !== undefined) {
    const field = (await kernel.btf()).offsetof("pcpu_hot", "current_task");
    if (field !== undefined) {
      const at = await percpuAddress(kernel, "pcpu_hot", cpu);
      return kernel.memory.u64(at + BigInt(field)).catch(() => undefined);
    }
  }
  if (symbols.lookup("current_task") !== undefined) {
    const at = await percpuAddress(kernel, "current_task", cpu);
    return kernel.memory.u64(at).catch(() => undefined);
  }
  return undefined;
}
