/**
 * @module dump/lzo1x/decode
 * A safe LZO1X decompressor (the checks of liblzo's `lzo1x_decompress_safe`): every read is
 * checked against the input, every write against the output limit, every match distance
 * against the bytes already written. Bad input throws a `CrashlensError` ("truncated" when the
 * input ends inside an instruction or before the end marker, "bad-data" otherwise); each step
 * consumes input, so it cannot loop forever. The bitstream is described in `format.ts`.
 */
import { CrashlensError } from "../../errors.js";
import { EXTENSION_STEP, FIRST_RUN_BIAS, M2_MAX_DISTANCE, M3_MAX_DISTANCE } from "./format.js";

/** copies at least this long go through copyWithin / set; shorter ones byte by byte */
const BULK_COPY = 32;

/**
 * Decompresses one LZO1X stream into at most `limit` bytes. Returns the bytes written (a view
 * of `limit` bytes when the stream fills it; shorter when it ends early).
 */
export function lzo1xDecompress(input: Uint8Array, limit: number): Uint8Array {
  return new Decoder(input, limit).run();
}

class Decoder {
  private ip = 0;
  private op = 0;
  private readonly out: Uint8Array;

  constructor(
    private readonly input: Uint8Array,
    private readonly limit: number,
  ) {
    this.out = new Uint8Array(limit);
  }

  run(): Uint8Array {
    const input = this.input;
    if (input.length === 0) throw this.truncated("the stream is empty");
    /** literals copied by the last instruction: 0-3, or 4 after a literal run */
    let state = 0;
    const first = input[0] as number;
    if (first > FIRST_RUN_BIAS) {
      this.ip = 1;
      const count = first - FIRST_RUN_BIAS;
      this.literals(count);
      state = count < 4 ? count : 4;
    }
    for (;;) {
      const t = this.byte();
      let length: number;
      let distance: number;
      if (t >= 0x40) {
        // M2: 01LDDDSS or 1LLDDDSS, then the distance's high bits
        length = (t >> 5) + 1;
        distance = 1 + ((t >> 2) & 7) + (this.byte() << 3);
        state = t & 3;
      } else if (t >= 0x20) {
        // M3: 001LLLLL, then LE16 distance << 2 | state
        length = (t & 0x1f) === 0 ? 33 + this.extension() : 2 + (t & 0x1f);
        const word = this.le16();
        distance = 1 + (word >> 2);
        state = word & 3;
      } else if (t >= 0x10) {
        // M4: 0001HLLL, then LE16 distance << 2 | state; distance 16384 ends the stream
        length = (t & 7) === 0 ? 9 + this.extension() : 2 + (t & 7);
        const word = this.le16();
        distance = M3_MAX_DISTANCE + ((t & 8) << 11) + (word >> 2);
        if (distance === M3_MAX_DISTANCE) return this.finish(t, word);
        state = word & 3;
      } else if (state === 0) {
        // literal run 0000LLLL: follows a match that carried no literals
        this.literals(t === 0 ? 18 + this.extension() : 3 + t);
        state = 4;
        continue;
      } else {
        // M1 0000DDSS: two bytes within 1 KiB after 1-3 literals, three bytes 2-3 KiB back
        // after a literal run
        const far = state === 4;
        length = far ? 3 : 2;
        distance = (far ? M2_MAX_DISTANCE + 1 : 1) + (t >> 2) + (this.byte() << 2);
        state = t & 3;
      }
      this.match(distance, length);
      if (state > 0) this.literals(state);
    }
  }

  /** the end marker: only `0x11 0x00 0x00`, and nothing may follow it */
  private finish(opcode: number, word: number): Uint8Array {
    if (opcode !== 0x11 || word !== 0) {
      throw this.bad(`malformed end marker 0x${opcode.toString(16)} 0x${word.toString(16)}`);
    }
    const extra = this.input.length - this.ip;
    if (extra > 0) throw this.bad(`${extra} bytes after the end marker`);
    return this.op === this.limit ? this.out : this.out.subarray(0, this.op);
  }

  private byte(): number {
    if (this.ip >= this.input.length) throw this.truncated("the stream ends without an end marker");
    return this.input[this.ip++] as number;
  }

  private le16(): number {
    if (this.ip + 2 > this.input.length) throw this.truncated("the stream ends inside a match");
    const word = (this.input[this.ip] as number) | ((this.input[this.ip + 1] as number) << 8);
    this.ip += 2;
    return word;
  }

  /** a zero-byte length extension: 255 per 0x00, then the closing non-zero byte */
  private extension(): number {
    const input = this.input;
    let total = 0;
    while (this.ip < input.length && input[this.ip] === 0) {
      total += EXTENSION_STEP;
      this.ip++;
      if (total > this.limit) throw this.overrun(total);
    }
    return total + this.byte();
  }

  private literals(count: number): void {
    const { input, out, ip, op } = this;
    if (op + count > this.limit) throw this.overrun(count);
    if (ip + count > input.length) throw this.truncated("the stream ends inside a literal run");
    if (count >= BULK_COPY) out.set(input.subarray(ip, ip + count), op);
    else for (let i = 0; i < count; i++) out[op + i] = input[ip + i] as number;
    this.ip = ip + count;
    this.op = op + count;
  }

  private match(distance: number, length: number): void {
    const { out, op } = this;
    if (distance > op) {
      throw this.bad(`a match reaches ${distance} bytes back, but only ${op} were written`);
    }
    if (op + length > this.limit) throw this.overrun(length);
    let from = op - distance;
    // overlapping copies repeat the last `distance` bytes, so they go byte by byte
    if (length >= BULK_COPY && distance >= length) out.copyWithin(op, from, from + length);
    else for (let to = op, end = op + length; to < end; ) out[to++] = out[from++] as number;
    this.op = op + length;
  }

  private overrun(count: number): CrashlensError {
    return this.bad(`${count} more bytes would overrun the ${this.limit}-byte output`);
  }

  private bad(what: string): CrashlensError {
    return new CrashlensError("bad-data", `lzo1x: ${what} (input offset ${this.ip})`);
  }

  private truncated(what: string): CrashlensError {
    return new CrashlensError("truncated", `lzo1x: ${what} (input offset ${this.ip})`);
  }
}
