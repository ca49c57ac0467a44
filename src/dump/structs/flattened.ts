/**
 * @module dump/structs/flattened
 * makedumpfile's flattened stream (`-F`; QEMU `kdump-*`), big-endian (`makedumpfile.h`).
 */
import { defineStruct } from "./struct.js";

export const FLAT_SIGNATURE = "makedumpfile";
/** the header is padded to this size; records start after it */
export const FLAT_HEADER_AREA = 4096;

export const FlatHeader = defineStruct(
  32,
  {
    signature: { type: "chars", offset: 0, length: 16 }, // "makedumpfile" + NULs
    type: { type: "i64", offset: 16 }, // 1
    version: { type: "i64", offset: 24 }, // 1
  },
  false,
);

/** one record: `bufSize` bytes follow that belong at `offset` of the rebuilt file */
export const FlatRecordHeader = defineStruct(
  16,
  {
    offset: { type: "i64", offset: 0 }, // -1 with bufSize -1 ends the stream
    bufSize: { type: "i64", offset: 8 },
  },
  false,
);
