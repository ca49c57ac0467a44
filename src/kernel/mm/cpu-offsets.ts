/**
 * @module kernel/mm/cpu-offsets
 * The per-CPU units as memory regions: each CPU's `__per_cpu_offset` (from
 * `src/kernel/percpu.ts`) plus the unit size (`pcpu_unit_size`: static + reserved + dynamic
 * areas, mm/percpu.c), so an address can be said to lie in CPU n's per-CPU area.
 */
import type { Kernel } from "../kernel.js";
import { cpuTopology } from "../percpu.js";

export interface PerCpuOffsets {
  /** `__per_cpu_offset[cpu]` for cpu 0 .. nr_cpu_ids-1 (undefined: unreadable) */
  readonly offsets: readonly (bigint | undefined)[];
  /** bytes of one CPU's unit, when `pcpu_unit_size` (or the static section) tells */
  readonly unitSize?: number;
  /** the `__per_cpu_start` symbol: per-CPU variables are offsets from it */
  readonly start: bigint;
}

/** Per-CPU offsets and unit size; computed once per kernel. */
export function readPerCpuOffsets(kernel: Kernel): Promise<PerCpuOffsets> {
  return kernel.facet("mm.per-cpu-units", async () => {
    const { offsets } = await cpuTopology(kernel);
    const symbols = await kernel.symbols();
    const start = symbols.lookup("__per_cpu_start")?.address ?? 0n;
    const unitAddress = symbols.lookup("pcpu_unit_size")?.address;
    let unitSize =
      unitAddress === undefined
        ? undefined
        : await kernel.memory.s32(unitAddress).catch(() => undefined);
    const end = symbols.lookup("__per_cpu_end")?.address;
    // without pcpu_unit_size, at least the static per-CPU section is known
    if ((unitSize === undefined || unitSize <= 0) && end !== undefined)
      unitSize = Number(end - start);
    return unitSize === undefined || unitSize <= 0
      ? { offsets, start }
      : { offsets, unitSize, start };
  });
}
