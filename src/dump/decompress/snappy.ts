/**
 * @module dump/decompress/snappy
 * Raw snappy blocks (not the framed format) through snappyjs, after a bounds pass: snappyjs
 * copies a literal byte by byte without checking it against the output size, so a damaged
 * page claiming a 4 GiB literal would spin for seconds writing nowhere.
 */
import { uncompress } from "snappyjs";

/** Walks the elements of a raw snappy block; throws when one would write past `length`. */
function checkBounds(input: Uint8Array, pageSize: number): void {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = input[pos++];
    if (b === undefined || shift > 28) throw new Error("Invalid Snappy length");
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  const limit = Math.min(length, pageSize);
  let out = 0;
  while (pos < input.length) {
    const c = input[pos++] as number;
    let len: number;
    if ((c & 3) === 0) {
      len = (c >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        len = 1;
        for (let i = 0; i < extra; i++) len += (input[pos + i] ?? 0) * 2 ** (8 * i);
        pos += extra;
      }
      pos += len;
    } else {
      len = (c & 3) === 1 ? ((c >>> 2) & 7) + 4 : (c >>> 2) + 1;
      pos += (c & 3) === 1 ? 1 : (c & 3) === 2 ? 2 : 4;
    }
    out += len;
    if (out > limit) throw new Error("a snappy element runs past the end of the page");
  }
}

export function snappyPage(input: Uint8Array, pageSize: number): Uint8Array {
  checkBounds(input, pageSize);
  return uncompress(input, pageSize);
}
