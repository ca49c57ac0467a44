/**
 * @module text/line-breaks
 * Line breaks found in raw bytes, exactly as LineSplitter finds them in decoded text: `\n`,
 * or a run of `\r` optionally followed by one `\n` (so `\r\n` and `\r\r\n` are one break).
 * Break bytes are ASCII, so they are the same in bytes and in UTF-8-decoded text.
 */

export const LF = 0x0a;
export const CR = 0x0d;

/** The end of the break whose first byte is at `at` (a `\n` or `\r`), within `bytes[..to)`. */
export function breakEnd(bytes: Uint8Array, at: number, to: number): number {
  let next = at + 1;
  if (bytes[at] === CR) {
    while (next < to && bytes[next] === CR) next++;
    if (next < to && bytes[next] === LF) next++;
  }
  return next;
}

/**
 * Where the whole lines in `bytes[0..n)` end: just after the last break whose end is
 * certain. A run of `\r` at the very end of the bytes may go on (or meet a `\n`) in the
 * next read, so it is not certain; at the end of input everything is. 0 when no break
 * in the bytes is certain (one line longer than them).
 */
export function wholeLinesEnd(bytes: Uint8Array, n: number, atEof: boolean): number {
  if (atEof) return n;
  let last = n - 1;
  for (;;) {
    // lines are short: walking back is faster than two lastIndexOf over the whole buffer
    while (last >= 0 && bytes[last] !== LF && bytes[last] !== CR) last--;
    if (last < 0) return 0;
    // a `\n`, or `\r` followed by a byte that ends the run, ends a certain break
    if (bytes[last] === LF || last + 1 < n) return last + 1;
    // the run of `\r` touches the end: the line before it is not whole either
    while (last >= 0 && bytes[last] === CR) last--;
  }
}
