/**
 * @module kernel/mm/regions
 * The regions of the x86-64 kernel address space (Documentation/arch/x86/x86_64/mm.rst):
 * user, the direct map (with each CPU's per-CPU unit inside it), vmalloc, the virtual memmap,
 * cpu_entry_area, espfix stacks, EFI, the kernel image, modules and the fixmap. The KASLR'd
 * bases (CONFIG_RANDOMIZE_MEMORY) come in through `PageLayout`.
 */
import type { PageLayout } from "./page-layout.js";

export const START_KERNEL_MAP = 0xffffffff80000000n;
/** MODULES_END for 4- and 5-level paging (arch/x86/include/asm/pgtable_64_types.h) */
const MODULES_END = 0xffffffffff000000n;
/** fixmap and vsyscall page sit below this (FIXADDR_TOP rounds up to a 2 MiB boundary) */
const FIXMAP_END = 0xffffffffff800000n;
/** CPU_ENTRY_AREA_BASE: one P4D (4-level) slot at -2 TiB, the same in 5-level paging */
const CPU_ENTRY_AREA = { start: 0xfffffe0000000000n, end: 0xfffffe8000000000n };
/** the %esp fixup stacks (ESPFIX_BASE_ADDR) */
const ESPFIX = { start: 0xffffff0000000000n, end: 0xffffff8000000000n };
/** EFI runtime services are mapped here (EFI_VA_END .. EFI_VA_START) */
const EFI = { start: 0xffffffef00000000n, end: 0xffffffff00000000n };

/** Region defaults without KASLR (CONFIG_RANDOMIZE_MEMORY off), by paging levels. */
export const fixedRegions = {
  4: {
    pageOffset: 0xffff888000000000n,
    vmalloc: 0xffffc90000000000n,
    vmallocSize: 32n << 40n,
    vmemmap: 0xffffea0000000000n,
    vmemmapSize: 1n << 40n,
    userEnd: 0x0000800000000000n,
  },
  5: {
    pageOffset: 0xff11000000000000n,
    vmalloc: 0xffa0000000000000n,
    vmallocSize: 12800n << 40n,
    vmemmap: 0xffd4000000000000n,
    vmemmapSize: 1n << 49n,
    userEnd: 0x0100000000000000n,
  },
} as const;

/** What part of the kernel's address space an address is in. */
export type AddressKind =
  | "user"
  | "non-canonical"
  | "direct-map"
  | "per-cpu"
  | "vmalloc"
  | "vmemmap"
  | "cpu-entry-area"
  | "espfix"
  | "efi"
  | "kernel-image"
  | "module"
  | "fixmap"
  | "unknown";

export interface AddressRegion {
  kind: AddressKind;
  /** for per-cpu: which CPU's unit */
  cpu?: number;
  /** the region's bounds [start, end) */
  start: bigint;
  end: bigint;
}

export function classifyAddress(layout: PageLayout, address: bigint): AddressRegion {
  const a = BigInt.asUintN(64, address);
  if (a < layout.userEnd) return { kind: "user", start: 0n, end: layout.userEnd };
  const canonicalStart = (1n << 64n) - layout.userEnd;
  if (a < canonicalStart)
    return { kind: "non-canonical", start: layout.userEnd, end: canonicalStart };
  if (a >= layout.directMapBase && a < layout.directMapEnd) {
    const { offsets, unitSize, start } = layout.perCpu;
    for (let cpu = 0; cpu < offsets.length; cpu++) {
      const offset = offsets[cpu];
      if (offset === undefined) continue;
      const unit = offset + start;
      if (a >= unit && a < unit + BigInt(unitSize))
        return { kind: "per-cpu", cpu, start: unit, end: unit + BigInt(unitSize) };
    }
    return { kind: "direct-map", start: layout.directMapBase, end: layout.directMapEnd };
  }
  const ranges: [AddressKind, bigint, bigint][] = [
    ["vmalloc", layout.vmallocBase, layout.vmallocEnd],
    ["vmemmap", layout.vmemmapBase, layout.vmemmapEnd],
    ["cpu-entry-area", CPU_ENTRY_AREA.start, CPU_ENTRY_AREA.end],
    ["espfix", ESPFIX.start, ESPFIX.end],
    ["efi", EFI.start, EFI.end],
    ["kernel-image", layout.kernelImage.start, layout.kernelImage.end],
    ["module", START_KERNEL_MAP + (1n << 30n), MODULES_END],
    ["fixmap", MODULES_END, FIXMAP_END],
  ];
  for (const [kind, start, end] of ranges) if (a >= start && a < end) return { kind, start, end };
  return { kind: "unknown", start: a, end: a + 1n };
}
