/**
 * @module dump/flattened
 * makedumpfile's flattened stream (`makedumpfile -F`, QEMU's `kdump-*` formats) read in place:
 * one pass over the record headers builds an index of where each piece of the rebuilt file
 * lives, and reads go straight to the records — no reassembly step, no temporary file.
 * Bytes no record wrote read as zeros (as in the sparse file `makedumpfile -R` would make);
 * where records overlap, the later one wins, as it would when written in order.
 */
import { CrashlensError, checkBound } from "../errors.js";
import { maxFlatRecordBytes, maxFlatRecords } from "./limits.js";
import { type RandomAccess, viewOf } from "./random-access.js";
import {
  FLAT_HEADER_AREA,
  FLAT_SIGNATURE,
  FlatHeader,
  FlatRecordHeader,
} from "./structs/flattened.js";

/** bytes of the stream scanned per read while indexing */
const SCAN_WINDOW = 1024;

interface Piece {
  /** offset in the rebuilt file */
  dst: number;
  /** offset of the data in the flattened file */
  src: number;
  length: number;
}

/**
 * Pieces as three parallel Float64Arrays (24 bytes a record, no object each): a multi-GB
 * stream of page-sized records stays a few dozen MB of index.
 */
class Pieces {
  dst = new Float64Array(1024);
  src = new Float64Array(1024);
  length = new Float64Array(1024);
  count = 0;

  push(dst: number, src: number, length: number): void {
    if (this.count === this.dst.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.dst = grow(this.dst);
      this.src = grow(this.src);
      this.length = grow(this.length);
    }
    this.dst[this.count] = dst;
    this.src[this.count] = src;
    this.length[this.count] = length;
    this.count++;
  }

  get(i: number): Piece {
    return {
      dst: this.dst[i] as number,
      src: this.src[i] as number,
      length: this.length[i] as number,
    };
  }
}

export class FlattenedRandomAccess implements RandomAccess {
  readonly name: string;
  private constructor(
    private readonly source: RandomAccess,
    /** pieces sorted by dst, not overlapping */
    private readonly pieces: Pieces,
    readonly size: number,
    readonly records: number,
    readonly warnings: string[],
  ) {
    this.name = source.name;
  }

  static async open(
    source: RandomAccess,
    onProgress?: (done: number, total: number) => void,
  ): Promise<FlattenedRandomAccess> {
    const name = source.name;
    const header = FlatHeader.get(viewOf(await source.read(0, FlatHeader.size)));
    if (header.signature !== FLAT_SIGNATURE) {
      throw new CrashlensError("bad-data", `${name}: no "makedumpfile" flattened signature`, {
        path: name,
      });
    }
    if (header.type !== 1n || header.version !== 1n) {
      throw new CrashlensError(
        "unsupported",
        `${name}: flattened header type ${header.type} version ${header.version} (known: 1, 1)`,
        { path: name },
      );
    }
    const warnings: string[] = [];
    const pieces = new Pieces();
    let at = FLAT_HEADER_AREA;
    let window: Uint8Array = new Uint8Array(0);
    let view = viewOf(window);
    let scratch: Uint8Array | undefined;
    let scratchView: DataView | undefined;
    let windowStart = 0;
    let ended = false;
    let size = 0;
    while (at + RECORD_HEADER <= source.size) {
      if (at < windowStart || at + RECORD_HEADER > windowStart + window.length) {
        windowStart = at;
        if (source.readInto !== undefined) {
          // one reused buffer and no promise per record: this loop runs once per record
          scratch ??= new Uint8Array(SCAN_WINDOW);
          window = scratch.subarray(0, source.readInto(scratch, at));
          view = scratchView ??= viewOf(scratch);
        } else {
          window = await source.read(at, Math.min(SCAN_WINDOW, source.size - at));
          view = viewOf(window);
        }
        onProgress?.(at, source.size);
      }
      // hot loop: the two big-endian int64s read as numbers, not through the struct token
      const dst = int64(view, at - windowStart);
      const length = int64(view, at - windowStart + 8);
      if (dst === -1 && length === -1) {
        ended = true;
        break;
      }
      if (dst < 0 || length < 0) {
        warnings.push(
          `${name}: flattened record at offset ${at} has a negative offset or size; stopping there`,
        );
        break;
      }
      checkBound(length, maxFlatRecordBytes, `${name}: flattened record size at offset ${at}`);
      const src = at + RECORD_HEADER;
      if (src + length > source.size) {
        warnings.push(
          `${name}: the flattened record at offset ${at} is cut short by the end of the file`,
        );
        pieces.push(dst, src, source.size - src);
        at = source.size;
        break;
      }
      if (length > 0) pieces.push(dst, src, length);
      checkBound(pieces.count, maxFlatRecords, `${name}: flattened record count`);
      size = Math.max(size, dst + length);
      at = src + length;
    }
    if (!ended) warnings.push(`${name}: the flattened stream has no end marker (truncated file)`);
    // records come in any order (QEMU interleaves descriptors and page data): sort them; only
    // clusters of overlapping records are replayed in stream order (later records win)
    const index = sortAndResolve(pieces);
    return new FlattenedRandomAccess(source, index, size, pieces.count, warnings);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new CrashlensError(
        "truncated",
        `${this.name}: wanted ${length} bytes at offset ${offset} of the rebuilt dump, which ends at ${this.size}`,
        { path: this.name },
      );
    }
    const { dst, src, length: len, count } = this.pieces;
    const lo = this.firstEndingAfter(offset);
    // common case: one record holds the whole range
    if (
      lo < count &&
      (dst[lo] as number) <= offset &&
      offset + length <= (dst[lo] as number) + (len[lo] as number)
    ) {
      return this.source.read((src[lo] as number) + (offset - (dst[lo] as number)), length);
    }
    const out = new Uint8Array(length);
    const end = offset + length;
    for (let i = lo; i < count; i++) {
      const d = dst[i] as number;
      if (d >= end) break;
      const from = Math.max(offset, d);
      const to = Math.min(end, d + (len[i] as number));
      if (to > from)
        out.set(await this.source.read((src[i] as number) + (from - d), to - from), from - offset);
    }
    return out;
  }

  /** index of the first piece that ends after `offset` (pieces are sorted, not overlapping) */
  private firstEndingAfter(offset: number): number {
    const { dst, length: len, count } = this.pieces;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((dst[mid] as number) + (len[mid] as number) <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** the parts of [start, end) some record wrote; the rest of the rebuilt file is a hole */
  *heldRanges(start: number, end: number): Iterable<[number, number]> {
    const { dst, length: len, count } = this.pieces;
    let open: [number, number] | undefined;
    for (let i = this.firstEndingAfter(start); i < count && (dst[i] as number) < end; i++) {
      const from = Math.max(start, dst[i] as number);
      const to = Math.min(end, (dst[i] as number) + (len[i] as number));
      if (open !== undefined && from === open[1]) open[1] = to;
      else {
        if (open !== undefined) yield open;
        open = [from, to];
      }
    }
    if (open !== undefined) yield open;
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

const RECORD_HEADER = FlatRecordHeader.size;

/** one big-endian int64 of `makedumpfile_data_header` as a number (-1 stays -1) */
function int64(view: DataView, at: number): number {
  return view.getInt32(at, false) * 0x1_0000_0000 + view.getUint32(at + 4, false);
}

/** Sorts pieces by dst; clusters of overlapping pieces are replayed in stream order. */
function sortAndResolve(pieces: Pieces): Pieces {
  const order = new Uint32Array(pieces.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // by dst, then stream order
  order.sort((a, b) => (pieces.dst[a] as number) - (pieces.dst[b] as number) || a - b);
  const out = new Pieces();
  let i = 0;
  while (i < order.length) {
    // a cluster: pieces that overlap, directly or through each other
    let j = i + 1;
    let end =
      (pieces.dst[order[i] as number] as number) + (pieces.length[order[i] as number] as number);
    while (j < order.length && (pieces.dst[order[j] as number] as number) < end) {
      end = Math.max(
        end,
        (pieces.dst[order[j] as number] as number) + (pieces.length[order[j] as number] as number),
      );
      j++;
    }
    if (j === i + 1) {
      const p = pieces.get(order[i] as number);
      out.push(p.dst, p.src, p.length);
    } else {
      const members = Array.from(order.subarray(i, j)).sort((a, b) => a - b);
      for (const p of replay(members.map((m) => pieces.get(m)))) out.push(p.dst, p.src, p.length);
    }
    i = j;
  }
  return out;
}

/** Applies overlapping pieces in stream order (later wins); returns non-overlapping pieces by dst. */
function replay(inOrder: Piece[]): Piece[] {
  let result: Piece[] = [];
  for (const piece of inOrder) {
    const end = piece.dst + piece.length;
    const next: Piece[] = [];
    for (const p of result) {
      const pEnd = p.dst + p.length;
      if (pEnd <= piece.dst || p.dst >= end) {
        next.push(p);
        continue;
      }
      if (p.dst < piece.dst) next.push({ dst: p.dst, src: p.src, length: piece.dst - p.dst });
      if (pEnd > end) next.push({ dst: end, src: p.src + (end - p.dst), length: pEnd - end });
    }
    next.push(piece);
    result = next;
  }
  return result.sort((a, b) => a.dst - b.dst);
}
