/**
 * @module dump/random-access
 * One random-access interface under every dump reader: `{ size, read(offset, length) }`.
 * A file-handle implementation reads with `pread`, never the whole file; an in-memory one
 * serves tests and small fixtures. Short reads are reported as `truncated`, never silent.
 */
import { readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { CrashlensError } from "../errors.js";

export interface RandomAccess {
  /** the artifact's name, for messages */
  readonly name: string;
  /** bytes available */
  readonly size: number;
  /** exactly `length` bytes at `offset`, or a `truncated` error */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * optional fast path for scans: fills `buffer` from `offset` synchronously, returns the
   * bytes read (fewer only at the end of the source)
   */
  readInto?(buffer: Uint8Array, offset: number): number;
  /**
   * for sources with holes (a flattened stream rebuilt from records): the parts of
   * [start, end) that hold bytes, in order; without it, everything below `size` is held
   */
  heldRanges?(start: number, end: number): Iterable<[start: number, end: number]>;
  close(): Promise<void>;
}

function truncated(name: string, offset: number, length: number, size: number): CrashlensError {
  if (length < 0 || offset < 0) {
    return new CrashlensError(
      "bad-data",
      `${name}: a structure claims ${length} bytes at offset ${offset}`,
      { path: name },
    );
  }
  return new CrashlensError(
    "truncated",
    `${name}: wanted ${length} bytes at offset ${offset}, but the file ends at ${size}`,
    { path: name },
  );
}

/** Reads a file through one open handle. */
export class FileRandomAccess implements RandomAccess {
  private constructor(
    readonly name: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<FileRandomAccess> {
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new CrashlensError("os", `${path}: cannot open (${reason})`, { path, cause: error });
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile() && !stat.isBlockDevice()) {
        throw new CrashlensError("os", `${path}: not a regular file`, { path });
      }
      return new FileRandomAccess(path, stat.size, handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw truncated(this.name, offset, length, this.size);
    }
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      let bytesRead: number;
      try {
        // synchronous pread: dump reads are small and many, and a thread-pool round trip
        // per read costs more than the read itself
        bytesRead = readSync(this.handle.fd, buffer, done, length - done, offset + done);
      } catch (error) {
        throw new CrashlensError("os", `${this.name}: read failed at offset ${offset + done}`, {
          path: this.name,
          cause: error,
        });
      }
      if (bytesRead === 0) throw truncated(this.name, offset, length, offset + done);
      done += bytesRead;
    }
    return buffer;
  }

  readInto(buffer: Uint8Array, offset: number): number {
    const length = Math.max(0, Math.min(buffer.length, this.size - offset));
    let done = 0;
    while (done < length) {
      const n = readSync(this.handle.fd, buffer, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Serves bytes already in memory (tests, fixtures built in code). */
export class BufferRandomAccess implements RandomAccess {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = "<memory>",
  ) {
    this.size = bytes.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw truncated(this.name, offset, length, this.size);
    }
    return this.bytes.subarray(offset, offset + length);
  }

  async close(): Promise<void> {}
}

/** A DataView over a byte array, for struct tokens. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
