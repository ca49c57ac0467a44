/**
 * @module kernel/unwind/lazy-table
 * A fixed-size-element array in kernel memory, read in 4 KiB chunks on first touch and kept:
 * a lookup touches a few chunks of the multi-megabyte ORC tables instead of all of them.
 */
import type { ReadMemory } from "./types.js";

const CHUNK = 4096;

export class LazyTable {
  private readonly chunks = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly read: ReadMemory,
    readonly base: bigint,
    readonly elementSize: number,
    readonly count: number,
  ) {}

  /** the bytes of element `index` (throws on unreadable memory or a bad index) */
  async element(index: number): Promise<Uint8Array> {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`element ${index} outside a table of ${this.count}`);
    const offset = index * this.elementSize;
    const first = Math.floor(offset / CHUNK);
    const last = Math.floor((offset + this.elementSize - 1) / CHUNK);
    if (first === last) {
      const chunk = await this.chunk(first);
      return chunk.subarray(offset - first * CHUNK, offset - first * CHUNK + this.elementSize);
    }
    // an element straddling two chunks (6-byte ORC entries do)
    const out = new Uint8Array(this.elementSize);
    const a = await this.chunk(first);
    const split = (first + 1) * CHUNK - offset;
    out.set(a.subarray(offset - first * CHUNK), 0);
    out.set((await this.chunk(last)).subarray(0, this.elementSize - split), split);
    return out;
  }

  /** the address of element `index` */
  addressOf(index: number): bigint {
    return this.base + BigInt(index * this.elementSize);
  }

  private chunk(n: number): Promise<Uint8Array> {
    let chunk = this.chunks.get(n);
    if (chunk === undefined) {
      const start = n * CHUNK;
      const length = Math.min(CHUNK, this.count * this.elementSize - start);
      chunk = this.read(this.base + BigInt(start), length);
      // a failed read is not kept: the next lookup may try again and report it again
      chunk.catch(() => this.chunks.delete(n));
      this.chunks.set(n, chunk);
    }
    return chunk;
  }
}
