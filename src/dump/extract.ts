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
  /** the unit of the page frame numbers given and written (default: the dump's block size) */
  pageSize?: number;
  /** utsname machine for the kdump header (default x86_64) */
  machine?: string;
  /** ELF e_machine (default EM_X86_64) */
  elfMachine?: number;
}

/** the smallest page any architecture uses: the unit `recordPages` also records in */
export const FRAME_SIZE = 4096;

export interface PageRecorder {
  /** blocks read, in the dump's block size (`dump.pageSize`) */
  pages: Set<bigint>;
  /**
   * 4 KiB frames read, for dumps whose blocks are bigger than the kernel's pages (QEMU's
   * arm64 kdump output: 64 KiB blocks, 4 KiB pages), so only what was read is kept
   */
  frames: Set<bigint>;
  stop(): void;
}

/** Records every page frame read through `dump` until `stop()` is called. */
export function recordPages(dump: Dump): PageRecorder {
  const pages = new Set<bigint>();
  const frames = new Set<bigint>();
  const hook = (pfn: bigint) => pages.add(pfn);
  dump.onPageRead = hook;
  const read = dump.readPhysical;
  const size = BigInt(FRAME_SIZE);
  // a read that succeeded, while recording is on (a VMCOREINFO scan turns it off): its frames
  dump.readPhysical = async (paddr: bigint, length: number) => {
    const bytes = await read.call(dump, paddr, length);
    if (dump.onPageRead === hook && length > 0)
      for (let f = paddr / size; f <= (paddr + BigInt(length) - 1n) / size; f++) frames.add(f);
    return bytes;
  };
  return {
    pages,
    frames,
    stop: () => {
      dump.onPageRead = undefined;
      dump.readPhysical = read;
    },
  };
}

/**
 * What to keep of a recording, and in which page size: the blocks read, or, when the dump's
 * blocks are bigger than the kernel's pages (QEMU's arm64 kdump output: 64 KiB blocks of a
 * 4 KiB-page kernel), only the kernel pages read, written in the kernel's page size.
 */
export function pagesToKeep(
  recorder: PageRecorder,
  dumpPageSize: number,
  kernelPageSize: number | undefined,
): { pfns: Set<bigint>; pageSize: number } {
  if (kernelPageSize === undefined || kernelPageSize < FRAME_SIZE || kernelPageSize >= dumpPageSize)
    return { pfns: recorder.pages, pageSize: dumpPageSize };
  const ratio = BigInt(kernelPageSize / FRAME_SIZE);
  const pfns = new Set<bigint>();
  for (const f of recorder.frames) pfns.add(f / ratio);
  return { pfns, pageSize: kernelPageSize };
}

export async function extractPages(
  dump: Dump,
  pfns: Iterable<bigint>,
  options: ExtractOptions,
): Promise<Uint8Array> {
  const pageSize = options.pageSize ?? dump.pageSize;
  const size = BigInt(pageSize);
  const sorted = [...pfns].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pages = new Map<bigint, Uint8Array>();
  for (const pfn of sorted) pages.set(pfn, await dump.readPhysical(pfn * size, pageSize));
  if (options.format === "kdump") {
    const last = sorted[sorted.length - 1] ?? 0n;
    const spec: Parameters<typeof writeKdump>[0] = {
      pageSize,
      maxMapnr: last + 1n,
      pages,
      compression: options.compression ?? "zlib",
      notes: dump.notes,
      nrCpus: dump.notes.filter((n) => n.name === "CORE" && n.type === 1).length,
    };
    if (dump.vmcoreinfo !== undefined) spec.vmcoreinfo = dump.vmcoreinfo;
    if (options.release !== undefined) spec.release = options.release;
    if (options.physBase !== undefined) spec.physBase = options.physBase;
    if (options.machine !== undefined) spec.machine = options.machine;
    return writeKdump(spec);
  }
  // ELF: one PT_LOAD per run of consecutive pages
  const segments: ElfSegment[] = [];
  let run: bigint[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const data = new Uint8Array(run.length * pageSize);
    run.forEach((pfn, i) => {
      data.set(pages.get(pfn) as Uint8Array, i * pageSize);
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
    const data = new Uint8Array(count * pageSize);
    for (let k = 0; k < count; k++) {
      const page = pages.get(firstPa / size + BigInt(k));
      if (page !== undefined) data.set(page, k * pageSize);
    }
    segments.push({ paddr: firstPa, vaddr: firstVa, data });
    start = i;
  }
  return writeElfCore({
    notes: dump.notes,
    segments,
    ...(options.elfMachine === undefined ? {} : { machine: options.elfMachine }),
  });
}
