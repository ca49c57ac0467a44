/**
 * @module dump/kdump-compressed
 * makedumpfile's kdump-compressed format (header versions 1–6): two bitmaps (1st: not a
 * memory hole, 2nd: written to the dump), one 24-byte descriptor per written page, page data
 * compressed with zlib, lzo, snappy or zstd (or raw). Pages in RAM but filtered out are a
 * `fault` with `filtered` set (crash's "page excluded": their bytes are unknown, not zero —
 * reading them as zeros would show NULL pointers that were never NULL); split dumps hold only `start_pfn..end_pfn`; a descriptor with offset 0 is a page an
 * incomplete dump never wrote.
 */
import { CrashlensError, checkBound } from "../errors.js";
import { FileBitmap } from "./bitmap.js";
import { codecFor, compressionNames, decompressPage } from "./decompress/index.js";
import { kdumpFacts } from "./kdump-facts.js";
import {
  maxNotesAreaBytes,
  maxPageSize,
  maxPfns,
  maxSubHeaderBlocks,
  maxVmcoreinfoBytes,
  minPageSize,
} from "./limits.js";
import { parseNotes, vmcoreinfoFromNotes } from "./notes.js";
import { PageCache } from "./page-cache.js";
import { FILTERED, hex, PagedMemory, pageFault } from "./paged-memory.js";
import { type RandomAccess, viewOf } from "./random-access.js";
import {
  DISKDUMP_SIGNATURE,
  DiskDumpHeader,
  DUMP_DH_COMPRESSED_INCOMPLETE,
  KDUMP_SIGNATURE,
  KdumpSubHeader,
  PageDescriptor,
} from "./structs/kdump.js";
import { cString } from "./structs/struct.js";
import type { Dump, DumpHints, ElfNote, Fact, PhysicalRange } from "./types.js";
import { unixTime } from "./unix-time.js";

/** bitmaps up to this size are counted at open (for `info`); larger ones on demand only */
const MAX_COUNTED_BITMAP = 8 * 1024 * 1024;
/** descriptors read per request */
const DESC_BATCH = 170;

type Header = ReturnType<typeof DiskDumpHeader.get>;
type SubHeader = ReturnType<typeof KdumpSubHeader.get>;

export interface PageDescription {
  offset: number;
  size: number;
  flags: number;
}

export class KdumpCompressedDump extends PagedMemory implements Dump {
  readonly format = "kdump-compressed" as const;
  readonly flavour: string;
  readonly description: string;
  readonly vmcoreinfo: string | undefined;
  readonly directMapBase = undefined;
  readonly maxMapnr: bigint;
  readonly startPfn: bigint;
  readonly endPfn: bigint;
  private readonly descriptors = new PageCache<Uint8Array>(64);
  /** decoded pages by file offset: makedumpfile points every zero page at one shared copy */
  private readonly byOffset = new PageCache<Uint8Array>(16);
  private readonly firstRank: Promise<number>;
  /** RAM pages (1st bitmap) and pages written (2nd bitmap), once `countPages()` ran */
  private counts: { ram: number; written: number } | undefined;

  private constructor(
    private readonly source: RandomAccess,
    readonly path: string,
    readonly header: Header,
    readonly sub: SubHeader | undefined,
    readonly notes: readonly ElfNote[],
    vmcoreinfo: string | undefined,
    private readonly present: FileBitmap,
    private readonly written: FileBitmap,
    private readonly descOffset: number,
    readonly warnings: string[],
    outer: string | undefined,
    maxMapnr: bigint,
  ) {
    super(header.blockSize);
    this.vmcoreinfo = vmcoreinfo;
    this.maxMapnr = maxMapnr;
    const split = sub !== undefined && header.headerVersion >= 2 && sub.split !== 0;
    this.startPfn = split ? (header.headerVersion >= 6 ? sub.startPfn64 : sub.startPfn) : 0n;
    this.endPfn = split ? (header.headerVersion >= 6 ? sub.endPfn64 : sub.endPfn) : maxMapnr;
    this.firstRank = this.written.rank(this.startPfn);
    const compression = compressionNames(header.status).join("+") || "uncompressed";
    this.flavour = outer === undefined ? "makedumpfile" : "qemu-or-makedumpfile-F";
    const parts = [
      `${outer ? `${outer} of ` : ""}makedumpfile kdump-compressed v${header.headerVersion}`,
      compression,
    ];
    if (sub !== undefined) parts.push(`dump level ${sub.dumpLevel}`);
    if (split) parts.push(`split part (pfn ${hex(this.startPfn)}-${hex(this.endPfn)})`);
    if (header.status & DUMP_DH_COMPRESSED_INCOMPLETE) parts.push("INCOMPLETE");
    this.description = parts.join(", ");
  }

  static async open(
    source: RandomAccess,
    path: string,
    outer?: string,
  ): Promise<KdumpCompressedDump> {
    const warnings: string[] = [];
    const header = DiskDumpHeader.get(viewOf(await source.read(0, DiskDumpHeader.size)));
    if (header.signature === DISKDUMP_SIGNATURE) {
      throw new CrashlensError("unsupported", `${path}: the old DISKDUMP format is not supported`, {
        path,
      });
    }
    if (header.signature !== KDUMP_SIGNATURE) {
      throw new CrashlensError("bad-data", `${path}: no "KDUMP   " signature`, { path });
    }
    const bs = header.blockSize;
    if (bs < minPageSize || bs > maxPageSize || (bs & (bs - 1)) !== 0) {
      throw new CrashlensError("bad-data", `${path}: kdump block_size ${bs} is not a page size`, {
        path,
        field: "block_size",
        value: bs,
      });
    }
    if (header.headerVersion < 1 || header.headerVersion > 6) {
      warnings.push(
        `${path}: kdump header version ${header.headerVersion} (known: 1-6); reading it as version 6`,
      );
    }
    if (header.subHeaderSize < 0) {
      throw new CrashlensError("bad-data", `${path}: kdump sub_hdr_size is negative`, { path });
    }
    checkBound(header.subHeaderSize, maxSubHeaderBlocks, `${path}: kdump sub_hdr_size`);
    let sub: SubHeader | undefined;
    if (header.subHeaderSize > 0) {
      if (source.size < bs + KdumpSubHeader.size) {
        throw new CrashlensError(
          "truncated",
          `${path}: the kdump sub-header is cut off (the file ends at ${source.size})`,
          { path },
        );
      }
      const bytes = new Uint8Array(KdumpSubHeader.size);
      bytes.set(await source.read(bs, Math.min(KdumpSubHeader.size, source.size - bs)));
      sub = KdumpSubHeader.get(viewOf(bytes));
      // fields newer than the header version are not there: zero them
      const v = header.headerVersion;
      if (v < 2) Object.assign(sub, { split: 0, startPfn: 0n, endPfn: 0n });
      if (v < 3) Object.assign(sub, { offsetVmcoreinfo: 0n, sizeVmcoreinfo: 0n });
      if (v < 4) Object.assign(sub, { offsetNote: 0n, sizeNote: 0n });
      if (v < 5) Object.assign(sub, { offsetEraseinfo: 0n, sizeEraseinfo: 0n });
      if (v < 6) Object.assign(sub, { startPfn64: 0n, endPfn64: 0n, maxMapnr64: 0n });
    }
    const maxMapnr =
      header.headerVersion >= 6 && sub !== undefined && sub.maxMapnr64 > 0n
        ? sub.maxMapnr64
        : BigInt(header.maxMapnr);
    checkBound(maxMapnr, maxPfns, `${path}: kdump max_mapnr`);

    const notes: ElfNote[] = [];
    let vmcoreinfo: string | undefined;
    if (sub !== undefined && sub.sizeNote > 0n) {
      const blob = await readOptional(
        source,
        sub.offsetNote,
        sub.sizeNote,
        maxNotesAreaBytes,
        `${path}: kdump notes`,
        warnings,
      );
      if (blob) notes.push(...parseNotes(blob, `${path} notes`, warnings));
    }
    if (sub !== undefined && sub.sizeVmcoreinfo > 0n) {
      const blob = await readOptional(
        source,
        sub.offsetVmcoreinfo,
        sub.sizeVmcoreinfo,
        maxVmcoreinfoBytes,
        `${path}: kdump VMCOREINFO`,
        warnings,
      );
      if (blob) vmcoreinfo = cString(blob);
    }
    vmcoreinfo ??= vmcoreinfoFromNotes(notes);

    const bitmapOffset = bs * (1 + header.subHeaderSize);
    const bitmapBytes = header.bitmapBlocks * bs;
    const oneBitmap = Math.ceil(Number((maxMapnr + 7n) / 8n) / bs) * bs;
    const both = bitmapBytes >= 2 * oneBitmap;
    const half = both ? bitmapBytes / 2 : bitmapBytes;
    if (bitmapOffset + bitmapBytes > source.size) {
      throw new CrashlensError(
        "truncated",
        `${path}: the kdump bitmaps run past the end of the file (truncated dump)`,
        { path },
      );
    }
    const present = new FileBitmap(source, bitmapOffset, half);
    const written = both ? new FileBitmap(source, bitmapOffset + half, half) : present;
    const descOffset = bitmapOffset + bitmapBytes;
    if (header.status & DUMP_DH_COMPRESSED_INCOMPLETE) {
      warnings.push(
        `${path}: the dump is marked incomplete (makedumpfile ran out of space); some pages are missing`,
      );
    }
    const dump = new KdumpCompressedDump(
      source,
      path,
      header,
      sub,
      notes,
      vmcoreinfo,
      present,
      written,
      descOffset,
      warnings,
      outer,
      maxMapnr,
    );
    return dump;
  }

  /** where page `pfn` is stored; a `filtered` fault when the dump left it out */
  async describe(pfn: bigint): Promise<PageDescription> {
    const address = pfn * BigInt(this.pageSize);
    if (pfn < 0n || pfn >= this.maxMapnr)
      throw pageFault(this.path, address, `is beyond the dump's max_mapnr (${hex(this.maxMapnr)})`);
    if (!(await this.present.isSet(pfn)))
      throw pageFault(this.path, address, "is not in the dump (not RAM)");
    if (pfn < this.startPfn || pfn >= this.endPfn)
      throw pageFault(this.path, address, "is in another part of a split dump");
    if (!(await this.written.isSet(pfn)))
      throw pageFault(this.path, address, FILTERED, { filtered: true });
    const index = (await this.written.rank(pfn)) - (await this.firstRank);
    const desc = await this.descriptor(index, address);
    if (desc.offset === 0)
      throw pageFault(this.path, address, "was never written (incomplete dump)");
    if (desc.size > this.pageSize) {
      throw pageFault(
        this.path,
        address,
        `has a descriptor with size ${desc.size} > block size ${this.pageSize}`,
      );
    }
    if (desc.offset < 0 || desc.offset + desc.size > this.source.size) {
      throw pageFault(
        this.path,
        address,
        `has data at offset ${desc.offset} past the end of the file`,
      );
    }
    return desc;
  }

  private async descriptor(index: number, address: bigint): Promise<PageDescription> {
    const batch = Math.floor(index / DESC_BATCH);
    let bytes = this.descriptors.get(BigInt(batch));
    if (bytes === undefined) {
      const at = this.descOffset + batch * DESC_BATCH * PageDescriptor.size;
      const length = Math.min(DESC_BATCH * PageDescriptor.size, this.source.size - at);
      if (length <= 0)
        throw pageFault(this.path, address, "has its page descriptor past the end of the file");
      bytes = await this.source.read(at, length);
      this.descriptors.set(BigInt(batch), bytes);
    }
    const within = (index % DESC_BATCH) * PageDescriptor.size;
    if (within + PageDescriptor.size > bytes.length) {
      throw pageFault(this.path, address, "has its page descriptor past the end of the file");
    }
    const d = PageDescriptor.get(viewOf(bytes), within);
    return { offset: Number(d.offset), size: d.size, flags: d.flags };
  }

  protected async loadPage(pfn: bigint): Promise<Uint8Array> {
    const desc = await this.describe(pfn);
    const shared = this.byOffset.get(BigInt(desc.offset));
    if (shared !== undefined) return shared;
    const page = await this.decodePage(pfn, desc);
    this.byOffset.set(BigInt(desc.offset), page);
    return page;
  }

  private async decodePage(pfn: bigint, desc: PageDescription): Promise<Uint8Array> {
    const data = await this.source.read(desc.offset, desc.size);
    const codec = codecFor(desc.flags);
    const where = `${this.path}: physical page ${hex(pfn * BigInt(this.pageSize))}`;
    if (codec === undefined) {
      if (desc.size !== this.pageSize) {
        throw new CrashlensError("bad-data", `${where}: uncompressed page of ${desc.size} bytes`, {
          address: pfn * BigInt(this.pageSize),
        });
      }
      return data;
    }
    try {
      return await decompressPage(codec, data, this.pageSize, where);
    } catch (error) {
      if (error instanceof CrashlensError) error.details.address ??= pfn * BigInt(this.pageSize);
      throw error;
    }
  }

  async hasPage(paddr: bigint): Promise<boolean> {
    const pfn = paddr / BigInt(this.pageSize);
    return (
      pfn < this.maxMapnr &&
      pfn >= this.startPfn &&
      pfn < this.endPfn &&
      (await this.present.isSet(pfn))
    );
  }

  async *storedPages(): AsyncIterable<bigint> {
    const end = this.endPfn < this.written.bits ? this.endPfn : this.written.bits;
    for (let pfn = this.startPfn; pfn < end; ) {
      // skip whole zero bytes of the bitmap quickly
      if ((pfn & 7n) === 0n && !(await this.written.anyInByte(pfn))) {
        pfn += 8n;
        continue;
      }
      if (await this.written.isSet(pfn)) yield pfn;
      pfn++;
    }
  }

  /** counts RAM and written pages (for `info`); skipped for bitmaps over 8 MiB */
  async countPages(): Promise<void> {
    if (this.counts !== undefined || this.present.length > MAX_COUNTED_BITMAP) return;
    this.counts = {
      ram: await this.present.rank(this.maxMapnr),
      written: await this.written.rank(this.maxMapnr),
    };
  }

  storedPageCount(): number | undefined {
    return this.counts?.written;
  }

  ranges(): readonly PhysicalRange[] {
    const size = BigInt(this.pageSize);
    return [{ start: this.startPfn * size, end: this.endPfn * size }];
  }

  hints(): DumpHints {
    const { header, sub } = this;
    const hints: DumpHints = {};
    if (sub !== undefined) hints.physBase = BigInt.asIntN(64, sub.physBase);
    const crashTime = header.timestampSec > 0n ? unixTime(header.timestampSec) : undefined;
    if (crashTime !== undefined) hints.crashTime = crashTime;
    if (header.release) hints.release = header.release;
    if (header.machine) hints.machine = header.machine;
    if (this.flavour === "makedumpfile") hints.currentCpu = header.currentCpu;
    return hints;
  }

  facts(): Fact[] {
    const split = this.sub?.split ? { startPfn: this.startPfn, endPfn: this.endPfn } : undefined;
    const { header, sub, maxMapnr, counts, path } = this;
    return kdumpFacts({ header, sub, maxMapnr, counts, split, path });
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

async function readOptional(
  source: RandomAccess,
  offset: bigint,
  size: bigint,
  max: number,
  what: string,
  warnings: string[],
): Promise<Uint8Array | undefined> {
  try {
    checkBound(size, max, `${what} size`);
    if (offset + size > BigInt(source.size)) {
      warnings.push(`${what} at offset ${offset} are past the end of the file`);
      return undefined;
    }
    return await source.read(Number(offset), Number(size));
  } catch (error) {
    warnings.push((error as Error).message);
    return undefined;
  }
}
