/**
 * @module dump/writers/flattened-writer
 * Turns a file image into makedumpfile's flattened stream: the 4 KiB big-endian header, then
 * records of (offset, size, data), then the end marker. Records can be written out of order,
 * and the first bytes rewritten at the end, as real writers do.
 */
import { viewOf } from "../random-access.js";
import { FLAT_HEADER_AREA, FlatHeader, FlatRecordHeader } from "../structs/flattened.js";

export interface FlatOptions {
  /** bytes per record */
  recordSize?: number;
  /** write records in reverse order */
  reverse?: boolean;
  /** write a zeroed first block first and the real one again at the end */
  rewriteHead?: number;
  /** leave out the end marker (a truncated stream) */
  noEndMarker?: boolean;
}

export function writeFlattened(file: Uint8Array, options: FlatOptions = {}): Uint8Array {
  const size = options.recordSize ?? 4096;
  const records: { offset: number; data: Uint8Array }[] = [];
  for (let at = 0; at < file.length; at += size)
    records.push({ offset: at, data: file.subarray(at, Math.min(file.length, at + size)) });
  if (options.reverse) records.reverse();
  if (options.rewriteHead !== undefined) {
    records.unshift({ offset: 0, data: new Uint8Array(options.rewriteHead) });
    records.push({ offset: 0, data: file.subarray(0, options.rewriteHead) });
  }
  return encodeFlattened(records, !options.noEndMarker);
}

/** The makedumpfile -F stream of these records, in this order. */
export function encodeFlattened(
  records: readonly { offset: number; data: Uint8Array }[],
  endMarker = true,
): Uint8Array {
  const recordHeader = FlatRecordHeader.size;
  const total =
    FLAT_HEADER_AREA +
    records.reduce((sum, r) => sum + recordHeader + r.data.length, 0) +
    (endMarker ? recordHeader : 0);
  const out = new Uint8Array(total);
  const view = viewOf(out);
  FlatHeader.put(view, 0, { signature: "makedumpfile", type: 1n, version: 1n });
  let at = FLAT_HEADER_AREA;
  for (const r of records) {
    FlatRecordHeader.put(view, at, { offset: BigInt(r.offset), bufSize: BigInt(r.data.length) });
    out.set(r.data, at + recordHeader);
    at += recordHeader + r.data.length;
  }
  if (endMarker) FlatRecordHeader.put(view, at, { offset: -1n, bufSize: -1n });
  return out;
}
