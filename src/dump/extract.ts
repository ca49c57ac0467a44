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
  return writeElfCore({ notes: dump.notes, segments });
}
