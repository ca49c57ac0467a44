/**
 * @module dump/decompress/snappy
 * Raw snappy blocks (not the framed format) through snappyjs.
 */
import { uncompress } from "snappyjs";

export function snappyPage(input: Uint8Array, pageSize: number): Uint8Array {
  return uncompress(input, pageSize);
}
