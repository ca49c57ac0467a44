/**
 * @module dump/decompress/zlib
 * zlib pages (`compress2()` output in makedumpfile and QEMU) through node:zlib.
 */
import { inflateSync } from "node:zlib";

export function inflatePage(input: Uint8Array, pageSize: number): Uint8Array {
  // one byte of slack lets an over-long page show up as a length mismatch, not a silent cut
  return inflateSync(input, { maxOutputLength: pageSize + 1 });
}
