/**
 * @module dump/writers/kdump-writer
 * Builds a makedumpfile kdump-compressed file in memory from a set of pages, with any page
 * compression, both bitmaps, the shared zero page, and the split / incomplete variants.
 * Used by `crashlens extract --format kdump` and by tests and fixture generation.
 */
import { zstdModule } from "../decompress/zstd.js";
import { lzo1xCompress } from "../lzo1x/encode.js";
import { viewOf } from "../random-access.js";
import {
  DiskDumpHeader,
  DUMP_DH_COMPRESSED_INCOMPLETE,
  DUMP_DH_COMPRESSED_LZO,
  DUMP_DH_COMPRESSED_SNAPPY,
  DUMP_DH_COMPRESSED_ZLIB,
  DUMP_DH_COMPRESSED_ZSTD,
  KdumpSubHeader,
  PageDescriptor,
} from "../structs/kdump.js";
import type { ElfNote } from "../types.js";
import { encodeNotes } from "./notes.js";

export type Compression = "none" | "zlib" | "lzo" | "snappy" | "zstd";

const flags: Record<Compression, number> = {
  none: 0,
  zlib: DUMP_DH_COMPRESSED_ZLIB,
  lzo: DUMP_DH_COMPRESSED_LZO,
  snappy: DUMP_DH_COMPRESSED_SNAPPY,
  zstd: DUMP_DH_COMPRESSED_ZSTD,
};

export interface KdumpSpec {
  pageSize?: number;
  maxMapnr: bigint;
  /** pages written to the dump (2nd bitmap), by pfn */
  pages: ReadonlyMap<bigint, Uint8Array>;
  /** pfns that are RAM but filtered out (1st bitmap only): they read as zeros */
  excluded?: Iterable<bigint>;
  compression: Compression;
  notes?: readonly ElfNote[];
  vmcoreinfo?: string;
  headerVersion?: number;
  release?: string;
  machine?: string;
  dumpLevel?: number;
  physBase?: bigint;
  /** a split part holding only start..end (pfns) */
  split?: { start: bigint; end: bigint };
  /** mark the dump incomplete and leave these pfns unwritten (descriptor offset 0) */
  incomplete?: Iterable<bigint>;
  nrCpus?: number;
}

async function compressor(kind: Compression): Promise<(page: Uint8Array) => Uint8Array> {
  switch (kind) {
    case "none":
      return (page) => page;
    case "zlib": {
      const { deflateSync } = await import("node:zlib");
      return (page) => deflateSync(page);
    }
    case "lzo":
      return lzo1xCompress;
    case "snappy": {
      const { compress } = await import("snappyjs");
      return (page) => compress(page);
    }
    case "zstd": {
      const zstd = await zstdModule();
      return (page) => zstd.compress(page, 3);
    }
  }
}

export async function writeKdump(spec: KdumpSpec): Promise<Uint8Array> {
  const bs = spec.pageSize ?? 4096;
  const version = spec.headerVersion ?? 6;
  const compress = await compressor(spec.compression);
  const bitmapBytes = Math.ceil(Math.ceil(Number(spec.maxMapnr) / 8) / bs) * bs;
  const first = new Uint8Array(bitmapBytes);
  const second = new Uint8Array(bitmapBytes);
  const set = (bitmap: Uint8Array, pfn: bigint) => {
    const n = Number(pfn);
    bitmap[n >> 3] = (bitmap[n >> 3] as number) | (1 << (n & 7));
  };
  const pfns = [...spec.pages.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const pfn of pfns) {
    set(first, pfn);
    set(second, pfn);
  }
  for (const pfn of spec.excluded ?? []) set(first, pfn);
  const lost = new Set(spec.incomplete ?? []);

  const notes = encodeNotes(spec.notes ?? []);
  const info = new TextEncoder().encode(spec.vmcoreinfo ?? "");
  const subAreaStart = bs + KdumpSubHeader.size;
  const subBlocks = Math.ceil((KdumpSubHeader.size + notes.length + info.length) / bs);
  const bitmapAt = bs * (1 + subBlocks);
  const descAt = bitmapAt + 2 * bitmapBytes;
  const inDump = pfns.filter(
    (p) => spec.split === undefined || (p >= spec.split.start && p < spec.split.end),
  );
  let dataAt = descAt + inDump.length * PageDescriptor.size;

  // page data: one shared zero page, as makedumpfile writes it
  const chunks: Uint8Array[] = [];
  const descriptors: { offset: bigint; size: number; flags: number }[] = [];
  let zeroDesc: { offset: bigint; size: number; flags: number } | undefined;
  for (const pfn of inDump) {
    const page = spec.pages.get(pfn) as Uint8Array;
    if (lost.has(pfn)) {
      descriptors.push({ offset: 0n, size: 0, flags: 0 });
      continue;
    }
    const isZero = page.every((b) => b === 0);
    if (isZero && zeroDesc !== undefined) {
      descriptors.push(zeroDesc);
      continue;
    }
    let data = compress(page);
    let pageFlags = flags[spec.compression];
    if (data.length >= bs) {
      data = page; // incompressible pages are stored raw
      pageFlags = 0;
    }
    const desc = { offset: BigInt(dataAt), size: data.length, flags: pageFlags };
    if (isZero) zeroDesc = desc;
    descriptors.push(desc);
    chunks.push(data);
    dataAt += data.length;
  }
  const out = new Uint8Array(dataAt);
  const view = viewOf(out);
  const status = flags[spec.compression] | (lost.size > 0 ? DUMP_DH_COMPRESSED_INCOMPLETE : 0);
  DiskDumpHeader.put(view, 0, {
    signature: "KDUMP   ",
    headerVersion: version,
    sysname: "Linux",
    nodename: "(none)",
    release: spec.release ?? "",
    version: "",
    machine: spec.machine ?? "x86_64",
    domainname: "(none)",
    timestampSec: 0n,
    timestampUsec: 0n,
    status,
    blockSize: bs,
    subHeaderSize: subBlocks,
    bitmapBlocks: (2 * bitmapBytes) / bs,
    maxMapnr: Number(spec.maxMapnr > 0xffffffffn ? 0xffffffffn : spec.maxMapnr),
    totalRamBlocks: 0,
    deviceBlocks: 0,
    writtenBlocks: 0,
    currentCpu: 0,
    nrCpus: spec.nrCpus ?? 1,
  });
  const notesAt = subAreaStart;
  const infoAt = notesAt + notes.length;
  KdumpSubHeader.put(view, bs, {
    physBase: spec.physBase ?? 0n,
    dumpLevel: spec.dumpLevel ?? 31,
    split: spec.split ? 1 : 0,
    startPfn: spec.split?.start ?? 0n,
    endPfn: spec.split?.end ?? 0n,
    offsetVmcoreinfo: info.length > 0 ? BigInt(infoAt) : 0n,
    sizeVmcoreinfo: BigInt(info.length),
    offsetNote: notes.length > 0 ? BigInt(notesAt) : 0n,
    sizeNote: BigInt(notes.length),
    offsetEraseinfo: 0n,
    sizeEraseinfo: 0n,
    startPfn64: spec.split?.start ?? 0n,
    endPfn64: spec.split?.end ?? 0n,
    maxMapnr64: spec.maxMapnr,
  });
  out.set(notes, notesAt);
  out.set(info, infoAt);
  out.set(first, bitmapAt);
  out.set(second, bitmapAt + bitmapBytes);
  descriptors.forEach((d, i) => {
    PageDescriptor.put(view, descAt + i * PageDescriptor.size, {
      offset: d.offset,
      size: d.size,
      flags: d.flags,
      pageFlags: 0n,
    });
  });
  let at = descAt + descriptors.length * PageDescriptor.size;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
