/**
 * @module dump/extract
 * Writes a minimal dump holding only the pages an analysis read, plus the original notes and
 * VMCOREINFO: small enough to commit as a fixture or to share without sharing memory.
 */
import type { Dump } from "./types.js";
import { type ElfSegment, writeElfCore } from "./writers/elf-writer.js";
import { type Compression, writeKdump } from "./writers/kdump-writer.js";

export type ExtractFormat = "kdump" | "elf";

export interface ExtractOptions {
  format: ExtractFormat;
  compression?: Compression;
  /** `page_offset_base`, so ELF p_vaddr are direct-map addresses as in a kdump vmcore */
  directMapBase?: bigint;
  release?: string;
  /** phys_base, for the kdump sub-header (makedumpfile and crash take it from there) */
  physBase?: bigint;
  /** kernel-image pages read: physical → virtual page address; ELF output maps them twice */
  imagePages?: ReadonlyMap<bigint, bigint>;
}

/** Records every page frame read through `dump` until `stop()` is called. */
export function recordPages(dump: Dump): { pages: Set<bigint>; stop(): void } {
  const pages = new Set<bigint>();
  dump.onPageRead = (pfn) => pages.add(pfn);
  return { pages, stop: () => (dump.onPageRead = undefined) };
}

export async function extractPages(
  dump: Dump,
  pfns: Iterable<bigint>,
  options: ExtractOptions,
): Promise<Uint8Array> {
  const size = BigInt(dump.pageSize);
  const sorted = [...pfns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pages = new Map<bigint, Uint8Array>();
  for (const pfn of sorted) pages.set(pfn, await dump.readPhysical(pfn * size, dump.pageSize));
  if (options.format === "kdump") {
    const last = sorted[sorted.length - 1] ?? 0n;
    const spec: Parameters<typeof writeKdump>[0] = {
      pageSize: dump.pageSize,
      maxMapnr: last + 1n,
      pages,
      compression: options.compression ?? "zlib",
      notes: dump.notes,
      nrCpus: dump.notes.filter((n) => n.name === "CORE" && n.type === 1).length,
    };
    if (dump.vmcoreinfo !== undefined) spec.vmcoreinfo = dump.vmcoreinfo;
    if (options.release !== undefined) spec.release = options.release;
    if (options.physBase !== undefined) spec.physBase = options.physBase;
    return writeKdump(spec);
  }
  // ELF: one PT_LOAD per run of consecutive pages
  const segments: ElfSegment[] = [];
  let run: bigint[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const data = new Uint8Array(run.length * dump.pageSize);
    run.forEach((pfn, i) => {
      data.set(pages.get(pfn) as Uint8Array, i * dump.pageSize);
    });
    const paddr = (run[0] as bigint) * size;
    segments.push({
      paddr,
      vaddr: options.directMapBase === undefined ? paddr : options.directMapBase + paddr,
      data,
    });
    run = [];
  };
  for (const pfn of sorted) {
    if (run.length > 0 && pfn !== (run[run.length - 1] as bigint) + 1n) flush();
    run.push(pfn);
  }
  flush();
  // the kernel image a second time at its kernel virtual addresses, as /proc/vmcore's
  // kernel-text PT_LOAD does: ELF readers that translate through p_vaddr need it
  const image = [...(options.imagePages ?? new Map<bigint, bigint>())].sort((a, b) =>
    a[0] < b[0] ? -1 : 1,
  );
  let start = 0;
  for (let i = 1; i <= image.length; i++) {
    const [pa, va] = image[i] ?? [-1n, -1n];
    const [prevPa, prevVa] = image[i - 1] as [bigint, bigint];
    if (i < image.length && pa === prevPa + size && va === prevVa + size) continue;
    const [firstPa, firstVa] = image[start] as [bigint, bigint];
    const count = i - start;
    const data = new Uint8Array(count * dump.pageSize);
    for (let k = 0; k < count; k++) {
      const page = pages.get(firstPa / size + BigInt(k));
      if (page !== undefined) data.set(page, k * dump.pageSize);
    }
    segments.push({ paddr: firstPa, vaddr: firstVa, data });
    start = i;
  }
  return writeElfCore({ notes: dump.notes, segments });
}
