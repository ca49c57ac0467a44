/**
 * @module dump/structs/kdump
 * makedumpfile's kdump-compressed ("diskdump") headers, x86-64 LP64 offsets
 * (`makedumpfile/diskdump_mod.h`, `IMPLEMENTATION`).
 */
import { defineStruct } from "./struct.js";

export const KDUMP_SIGNATURE = "KDUMP   ";
export const DISKDUMP_SIGNATURE = "DISKDUMP";

/** `struct disk_dump_header`, block 0 of the file */
export const DiskDumpHeader = defineStruct(464, {
  signature: { type: "chars", offset: 0, length: 8 }, // "KDUMP   "
  headerVersion: { type: "i32", offset: 8 }, // makedumpfile writes 6
  sysname: { type: "chars", offset: 12, length: 65 }, // new_utsname, 6 x 65 chars
  nodename: { type: "chars", offset: 77, length: 65 },
  release: { type: "chars", offset: 142, length: 65 },
  version: { type: "chars", offset: 207, length: 65 },
  machine: { type: "chars", offset: 272, length: 65 },
  domainname: { type: "chars", offset: 337, length: 65 },
  timestampSec: { type: "i64", offset: 408 }, // struct timeval
  timestampUsec: { type: "i64", offset: 416 },
  status: { type: "u32", offset: 424 }, // DUMP_DH_* flags
  blockSize: { type: "i32", offset: 428 }, // = page size
  subHeaderSize: { type: "i32", offset: 432 }, // in blocks
  bitmapBlocks: { type: "u32", offset: 436 }, // both bitmaps together
  maxMapnr: { type: "u32", offset: 440 }, // obsolete 32-bit; use maxMapnr64 from v6
  totalRamBlocks: { type: "u32", offset: 444 },
  deviceBlocks: { type: "u32", offset: 448 },
  writtenBlocks: { type: "u32", offset: 452 },
  currentCpu: { type: "u32", offset: 456 },
  nrCpus: { type: "i32", offset: 460 },
});

/** `struct kdump_sub_header`, block 1; fields exist from the header version noted */
export const KdumpSubHeader = defineStruct(104, {
  physBase: { type: "u64", offset: 0 }, // garbage in QEMU dumps under KASLR
  dumpLevel: { type: "i32", offset: 8 }, // v1+
  split: { type: "i32", offset: 12 }, // v2+
  startPfn: { type: "u64", offset: 16 }, // v2+, obsolete
  endPfn: { type: "u64", offset: 24 }, // v2+, obsolete
  offsetVmcoreinfo: { type: "u64", offset: 32 }, // v3+
  sizeVmcoreinfo: { type: "u64", offset: 40 }, // v3+
  offsetNote: { type: "u64", offset: 48 }, // v4+
  sizeNote: { type: "u64", offset: 56 }, // v4+
  offsetEraseinfo: { type: "u64", offset: 64 }, // v5+
  sizeEraseinfo: { type: "u64", offset: 72 }, // v5+
  startPfn64: { type: "u64", offset: 80 }, // v6+
  endPfn64: { type: "u64", offset: 88 }, // v6+
  maxMapnr64: { type: "u64", offset: 96 }, // v6+
});

/** `page_desc_t`, one per dumpable page */
export const PageDescriptor = defineStruct(24, {
  offset: { type: "i64", offset: 0 }, // file offset of the page data; 0 = lost (incomplete dump)
  size: { type: "u32", offset: 8 }, // compressed size, <= block size
  flags: { type: "u32", offset: 12 }, // DUMP_DH_COMPRESSED_*
  pageFlags: { type: "u64", offset: 16 },
});

/** `status` / page-descriptor flag bits */
export const DUMP_DH_COMPRESSED_ZLIB = 0x1;
export const DUMP_DH_COMPRESSED_LZO = 0x2;
export const DUMP_DH_COMPRESSED_SNAPPY = 0x4;
export const DUMP_DH_COMPRESSED_INCOMPLETE = 0x8;
export const DUMP_DH_EXCLUDED_VMEMMAP = 0x10;
export const DUMP_DH_COMPRESSED_ZSTD = 0x20;
