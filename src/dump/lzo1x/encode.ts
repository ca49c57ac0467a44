/**
 * @module dump/lzo1x/encode
 * A greedy LZO1X compressor in the spirit of LZO1X-1: a hash table of the last position of
 * each 4-byte sequence finds match candidates; a match is extended as far as it goes and
 * written as the shortest of M2 / M3 / M4; the bytes between matches become literal runs.
 * The output is a plain LZO1X stream that `lzo1x_decompress_safe` accepts. The bitstream is
 * described in `format.ts`.
 */
import {
  END_MARKER,
  EXTENSION_STEP,
  FIRST_RUN_BIAS,
  FIRST_RUN_MAX_LENGTH,
  M2_MAX_DISTANCE,
  M2_MAX_LENGTH,
  M3_MAX_DISTANCE,
  M3_MAX_INLINE_LENGTH,
  M3_OPCODE,
  M4_MAX_DISTANCE,
  M4_MAX_INLINE_LENGTH,
  M4_OPCODE,
  RUN_MAX_INLINE_LENGTH,
} from "./format.js";

/** matches shorter than this are not worth their instruction */
const MIN_MATCH = 4;
/** the hash table has at most 2^MAX_HASH_BITS entries */
const MAX_HASH_BITS = 14;
/** after this many literals without a match, probe every second position, then every third... */
const SKIP_SHIFT = 5;

/** the worst case: every byte a literal, plus run headers and the end marker */
export function lzo1xBound(length: number): number {
  return length + Math.ceil(length / 16) + 64 + 3;
}

/** Compresses `input` into one LZO1X stream (ending with the end marker). */
export function lzo1xCompress(input: Uint8Array): Uint8Array {
  const writer = new Writer(lzo1xBound(input.length));
  const n = input.length;
  const bits = Math.max(8, Math.min(MAX_HASH_BITS, Math.ceil(Math.log2(n + 1))));
  // positions are stored + 1, so 0 means "none yet"
  const table = new Int32Array(1 << bits);
  const shift = 32 - bits;
  /** the first byte not yet written (start of the pending literals) */
  let pending = 0;
  let ip = 1;
  const lastProbe = n - MIN_MATCH;
  while (ip <= lastProbe) {
    const h = hash(input, ip, shift);
    const candidate = (table[h] as number) - 1;
    table[h] = ip + 1;
    const distance = ip - candidate;
    if (
      candidate < 0 ||
      distance > M4_MAX_DISTANCE ||
      read32(input, candidate) !== read32(input, ip)
    ) {
      ip += 1 + ((ip - pending) >> SKIP_SHIFT);
      continue;
    }
    let length = MIN_MATCH;
    while (ip + length < n && input[candidate + length] === input[ip + length]) length++;
    writer.literals(input, pending, ip);
    writer.match(distance, length);
    ip += length;
    pending = ip;
    // remember the match's last probe position too: the next repeat often starts there
    if (ip - 1 <= lastProbe) table[hash(input, ip - 1, shift)] = ip;
  }
  writer.literals(input, pending, n);
  return writer.finish();
}

/** multiplicative hashing of 4 bytes; the top bits are the well-mixed ones */
function hash(input: Uint8Array, at: number, shift: number): number {
  return Math.imul(read32(input, at), 0x1e35a7bd) >>> shift;
}

function read32(input: Uint8Array, at: number): number {
  return (
    (input[at] as number) |
    ((input[at + 1] as number) << 8) |
    ((input[at + 2] as number) << 16) |
    ((input[at + 3] as number) << 24)
  );
}

/** emits instructions, tracking where the last match's state bits live */
class Writer {
  private readonly out: Uint8Array;
  private op = 0;
  /** the byte holding the last match's two state bits, or -1 before any match */
  private stateAt = -1;

  constructor(capacity: number) {
    this.out = new Uint8Array(capacity);
  }

  literals(input: Uint8Array, from: number, to: number): void {
    const count = to - from;
    if (count === 0) return;
    if (this.op === 0 && count <= FIRST_RUN_MAX_LENGTH) {
      this.put(FIRST_RUN_BIAS + count);
    } else if (count <= 3) {
      // 1-3 literals ride in the state bits of the match before them
      this.out[this.stateAt] = (this.out[this.stateAt] as number) | count;
    } else if (count <= RUN_MAX_INLINE_LENGTH) {
      this.put(count - 3);
    } else {
      this.put(0);
      this.extension(count - RUN_MAX_INLINE_LENGTH);
    }
    this.out.set(input.subarray(from, to), this.op);
    this.op += count;
  }

  match(distance: number, length: number): void {
    if (length <= M2_MAX_LENGTH && distance <= M2_MAX_DISTANCE) {
      // 01LDDDSS (3-4 bytes) or 1LLDDDSS (5-8 bytes), then distance bits 3..10
      const d = distance - 1;
      this.stateAt = this.op;
      this.put(((length - 1) << 5) | ((d & 7) << 2));
      this.put(d >> 3);
      return;
    }
    let word: number;
    if (distance <= M3_MAX_DISTANCE) {
      this.lengthOpcode(M3_OPCODE, length - 2, M3_MAX_INLINE_LENGTH - 2);
      word = distance - 1;
    } else {
      const d = distance - M3_MAX_DISTANCE;
      this.lengthOpcode(M4_OPCODE | ((d >> 14) << 3), length - 2, M4_MAX_INLINE_LENGTH - 2);
      word = d & 0x3fff;
    }
    this.stateAt = this.op;
    this.put((word << 2) & 0xff);
    this.put(word >> 6);
  }

  /** an opcode whose low bits hold `value` when it fits in `max`, else 0 and an extension */
  private lengthOpcode(opcode: number, value: number, max: number): void {
    if (value <= max) {
      this.put(opcode | value);
    } else {
      this.put(opcode);
      this.extension(value - max);
    }
  }

  /** `value` (≥ 1) as 255-steps of 0x00 and a closing non-zero byte */
  private extension(value: number): void {
    let rest = value;
    while (rest > EXTENSION_STEP) {
      this.put(0);
      rest -= EXTENSION_STEP;
    }
    this.put(rest);
  }

  private put(byte: number): void {
    this.out[this.op++] = byte;
  }

  finish(): Uint8Array {
    this.out.set(END_MARKER, this.op);
    return this.out.slice(0, this.op + END_MARKER.length);
  }
}
