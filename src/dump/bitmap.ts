/**
 * @module dump/bitmap
 * A kdump page bitmap read on demand from the file: bit n is pfn n, LSB first. Keeps only a
 * few chunks and one running count per chunk, so memory stays flat however large the dump.
 */
import { PageCache } from "./page-cache.js";
import type { RandomAccess } from "./random-access.js";

const CHUNK_BYTES = 4096;
const BLOCK_BYTES = 64;

interface Chunk {
  bytes: Uint8Array;
  /** set bits before each 64-byte block of the chunk */
  blocks: Uint16Array;
}
/** chunks read per request while counting */
const COUNT_BATCH = 64;

const popcount8 = new Uint8Array(256);
for (let i = 1; i < 256; i++) popcount8[i] = (i & 1) + (popcount8[i >> 1] as number);

export class FileBitmap {
  private readonly chunks = new PageCache<Chunk>(64);
  /** prefix[k] = set bits in chunks 0..k-1 */
  private readonly prefix: number[] = [0];

  constructor(
    private readonly source: RandomAccess,
    private readonly offset: number,
    /** bytes of bitmap */
    readonly length: number,
  ) {}

  private async chunk(index: number): Promise<Uint8Array> {
    return (await this.counted(index)).bytes;
  }

  /** a chunk with running counts per 64-byte block, so rank() never scans more than 63 bytes */
  private async counted(index: number): Promise<Chunk> {
    let chunk = this.chunks.get(BigInt(index));
    if (chunk === undefined) {
      const from = index * CHUNK_BYTES;
      const size = Math.min(CHUNK_BYTES, this.length - from);
      const bytes = await this.source.read(this.offset + from, size);
      const blocks = new Uint16Array(CHUNK_BYTES / BLOCK_BYTES + 1);
      let total = 0;
      for (let i = 0; i < size; i++) {
        if (i % BLOCK_BYTES === 0) blocks[i / BLOCK_BYTES] = total;
        total += popcount8[bytes[i] as number] as number;
      }
      chunk = { bytes, blocks };
      this.chunks.set(BigInt(index), chunk);
    }
    return chunk;
  }

  /** bits covered */
  get bits(): bigint {
    return BigInt(this.length) * 8n;
  }

  async isSet(bit: bigint): Promise<boolean> {
    if (bit < 0n || bit >= this.bits) return false;
    const byte = Number(bit >> 3n);
    const bytes = await this.chunk(Math.floor(byte / CHUNK_BYTES));
    return (((bytes[byte % CHUNK_BYTES] as number) >> Number(bit & 7n)) & 1) === 1;
  }

  /** whether any of the 8 bits in the byte holding `bit` is set */
  async anyInByte(bit: bigint): Promise<boolean> {
    if (bit < 0n || bit >= this.bits) return false;
    const byte = Number(bit >> 3n);
    const bytes = await this.chunk(Math.floor(byte / CHUNK_BYTES));
    return bytes[byte % CHUNK_BYTES] !== 0;
  }

  /** set bits in [0, bit) */
  async rank(bit: bigint): Promise<number> {
    if (bit <= 0n) return 0;
    if (bit > this.bits) bit = this.bits;
    const byte = Number(bit >> 3n);
    const index = Math.floor(byte / CHUNK_BYTES);
    await this.countUpTo(index);
    let count = this.prefix[index] as number;
    const within = byte % CHUNK_BYTES;
    const rest = Number(bit & 7n);
    if (within > 0 || rest > 0) {
      const { bytes, blocks } = await this.counted(index);
      const block = Math.floor(within / BLOCK_BYTES);
      count += blocks[block] as number;
      for (let i = block * BLOCK_BYTES; i < within; i++)
        count += popcount8[bytes[i] as number] as number;
      if (rest > 0) count += popcount8[(bytes[within] as number) & ((1 << rest) - 1)] as number;
    }
    return count;
  }

  /** fills `prefix` up to chunk `index`, streaming the bitmap in batches */
  private async countUpTo(index: number): Promise<void> {
    while (this.prefix.length <= index) {
      const first = this.prefix.length - 1;
      const from = first * CHUNK_BYTES;
      const size = Math.min(CHUNK_BYTES * COUNT_BATCH, this.length - from);
      const bytes = await this.source.read(this.offset + from, size);
      for (let c = 0; c * CHUNK_BYTES < size && this.prefix.length <= index; c++) {
        let total = this.prefix[this.prefix.length - 1] as number;
        const end = Math.min(size, (c + 1) * CHUNK_BYTES);
        for (let i = c * CHUNK_BYTES; i < end; i++)
          total += popcount8[bytes[i] as number] as number;
        this.prefix.push(total);
      }
    }
  }
}
