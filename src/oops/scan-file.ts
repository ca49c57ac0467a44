/**
 * @module oops/scan-file
 * The fast path for big text files: the same ParseResult as streaming every line through
 * the parser (parseLines ∘ linesOfStream), at close to the speed of reading the bytes.
 *
 * Lines are counted and searched in raw bytes (text/quiet-scanner) for the loud ones
 * (loud-lines.ts); only windows around them are decoded and parsed. The parser is fed
 * every line from a point where its state is provably the one a full read gives
 * (pre-window.ts) through the loud line, then on until it is at rest again (no report,
 * session command or journal entry open); quiet lines are only counted. Windows are cut at
 * line starts, where the UTF-8 decoder has no pending bytes (breaks are ASCII), so decoding
 * a window alone gives the characters a stream decoder gives; only the input's very first
 * bytes may hold a byte-order mark, which the stream decoder drops.
 *
 * Memory: one scan buffer, one feed buffer, at most MAX_WINDOW_BYTES of look-back.
 */
import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { CrashlensError } from "../errors.js";
import { wholeLinesEnd } from "../text/line-breaks.js";
import { LineSplitter, type RawLine } from "../text/line-source.js";
import { LINE_RING, QuietScanner } from "../text/quiet-scanner.js";
import { loudRules } from "./loud-lines.js";
import { type ParseResult, ReportParser } from "./parse.js";
import { syncLine } from "./pre-window.js";

/** Random-access bytes: a file, or memory in tests. */
export interface ByteSource {
  readonly size: number;
  /** reads up to `into.length` bytes at `position`; returns how many were read */
  read(into: Uint8Array, position: number): Promise<number>;
}

/**
 * A file read with positioned reads. They are synchronous: a read from the page cache takes
 * a fraction of a millisecond, less than the round trip through libuv's thread pool that an
 * asynchronous one costs (which would double the time of a scan).
 */
export function fileSource(handle: FileHandle, size: number): ByteSource {
  return {
    size,
    read: async (into, position) => {
      try {
        return readSync(handle.fd, into, 0, into.length, position);
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
        throw new CrashlensError("os", `read failed at byte ${position}: ${code}`, { cause });
      }
    },
  };
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (into, position) => {
      const piece = bytes.subarray(position, position + into.length);
      into.set(piece);
      return piece.length;
    },
  };
}

export interface ScanOptions {
  /** bytes scanned per read (default 1 MiB); tests use tiny ones to move boundaries */
  scanBytes?: number;
  /** bytes decoded and parsed per read while feeding (default 16 KiB) */
  feedBytes?: number;
}

/** Look-back tried before a loud line, in lines: short first, longer when lines repeat. */
const LOOK_BACK_LINES = [16, 256, LINE_RING - 1];
/** Look-back read at most, in bytes; past it, feeding starts where the quiet run began. */
const MAX_WINDOW_BYTES = 1 << 20;

/** A line start: its byte offset and the number of lines before it. */
interface Mark {
  off: number;
  line: number;
}

const BOM = 0xfeff;

class FastScan {
  private readonly parser = new ReportParser();
  private readonly scanBuffer: Uint8Array;
  private readonly scanWords: Uint32Array;
  private readonly feedBuffer: Uint8Array;
  private scanner: QuietScanner | undefined;
  /**
   * Where the input ends: its size when the scan began, or less once a read comes back short
   * (a log truncated while it is read, as logrotate's copytruncate does). Every loop ends by
   * this bound, so a shrinking file cannot make one read the same place forever.
   */
  private size: number;

  constructor(
    private readonly source: ByteSource,
    options: ScanOptions,
  ) {
    this.size = source.size;
    const scanBytes = Math.max(options.scanBytes ?? 1 << 20, 4);
    // whole 32-bit words, aligned: the scanner reads the bytes four at a time
    const arena = new ArrayBuffer((scanBytes + 3) & ~3);
    this.scanBuffer = new Uint8Array(arena, 0, scanBytes);
    this.scanWords = new Uint32Array(arena);
    this.feedBuffer = new Uint8Array(Math.max(options.feedBytes ?? 16 << 10, 1));
  }

  async run(): Promise<ParseResult> {
    const { parser } = this;
    let at: Mark = { off: 0, line: 0 };
    /** where the current run of skipped lines began: the parser's state is exact there */
    let quiet: Mark = at;
    while (at.off < this.size) {
      if (!parser.atRest()) {
        at = await this.feed(at, at.line + 1);
        quiet = at;
        continue;
      }
      const read = await this.readScan(at.off);
      const scanner = this.scannerFor(read.bytes);
      scanner.lines = at.line;
      const end = wholeLinesEnd(read.bytes, read.bytes.length, read.atEof);
      // no whole line in a full buffer: a line too long to be quiet
      const loud =
        end === 0 ? 0 : scanner.scan(read.bytes, this.scanWords, 0, end, at.off, read.atEof);
      if (loud === -1) {
        at = { off: at.off + end, line: scanner.lines };
        continue;
      }
      const loudLine: Mark = { off: at.off + loud, line: end === 0 ? at.line : scanner.lines };
      const start = await this.feedFrom(loudLine, quiet);
      at = await this.feed(start, loudLine.line + 1);
      quiet = at;
    }
    parser.setLineCount(at.line);
    return parser.finish();
  }

  private async readScan(off: number): Promise<{ bytes: Uint8Array; atEof: boolean }> {
    const want = Math.min(this.scanBuffer.length, this.size - off);
    const n = await this.read(this.scanBuffer.subarray(0, want), off);
    return { bytes: this.scanBuffer.subarray(0, n), atEof: off + n >= this.size };
  }

  /** Reads at `off`; a short read marks the end of the input there. */
  private async read(into: Uint8Array, off: number): Promise<number> {
    const n = await this.source.read(into, off);
    if (n < into.length) this.size = Math.min(this.size, off + n);
    return n;
  }

  /** The scanner learns rare byte pairs from the first bytes it sees. */
  private scannerFor(sample: Uint8Array): QuietScanner {
    this.scanner ??= new QuietScanner(loudRules, sample);
    return this.scanner;
  }

  /** Where to start feeding so that the parser's state at `loud` is exact (pre-window.ts). */
  private async feedFrom(loud: Mark, quiet: Mark): Promise<Mark> {
    const starts = (this.scanner as QuietScanner).lineStarts;
    const startOf = (line: number) => starts[line & (LINE_RING - 1)] as number;
    for (const span of LOOK_BACK_LINES) {
      const first = loud.line + 1 - span;
      if (first <= quiet.line + 1) return quiet;
      const off = startOf(first);
      if (loud.off - off > MAX_WINDOW_BYTES) return quiet;
      const bytes = new Uint8Array(loud.off - off);
      await this.read(bytes, off);
      const lines: RawLine[] = [];
      const splitter = new LineSplitter(first - 1);
      splitter.push(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes), (l) =>
        lines.push(l),
      );
      splitter.finish((l) => lines.push(l));
      const k = syncLine(lines);
      if (k !== undefined) return { off: startOf(k), line: k - 1 };
    }
    return quiet;
  }

  /**
   * Feeds every line from `from` through line `through` at least, then on until the parser
   * is at rest at the end of a read; returns where it stopped.
   */
  private async feed(from: Mark, through: number): Promise<Mark> {
    const { parser, feedBuffer } = this;
    const splitter = new LineSplitter(from.line);
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const emit = (line: RawLine) => parser.push(line);
    // the stream decoder drops a byte-order mark as the input's first character
    let atInputStart = from.off === 0;
    const decode = (bytes: Uint8Array, stream: boolean) => {
      let text = decoder.decode(bytes, { stream });
      if (atInputStart && text.length > 0) {
        atInputStart = false;
        if (text.charCodeAt(0) === BOM) text = text.slice(1);
      }
      return text;
    };
    let off = from.off;
    for (;;) {
      const n = await this.read(feedBuffer.subarray(0, Math.max(0, this.size - off)), off);
      const atEof = off + n >= this.size;
      const bytes = feedBuffer.subarray(0, n);
      const end = wholeLinesEnd(bytes, n, atEof);
      if (end === 0 && !atEof) {
        // inside a line longer than the buffer: the splitter keeps (and cuts) it
        splitter.push(decode(bytes, true), emit);
        off += n;
        continue;
      }
      splitter.push(decode(bytes.subarray(0, end), true) + decode(new Uint8Array(0), false), emit);
      splitter.finish(emit);
      off += end;
      if (atEof || (splitter.lines >= through && parser.atRest())) {
        return { off, line: splitter.lines };
      }
    }
  }
}

/** Parses a big text input by scanning its bytes (see the module comment). */
export function parseBytesFast(
  source: ByteSource,
  options: ScanOptions = {},
): Promise<ParseResult> {
  return new FastScan(source, options).run();
}
