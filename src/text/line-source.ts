import type { Readable } from "node:stream";

/** Longest line kept, in characters; a kernel line is at most ~1 kB, so this is generous. */
export const MAX_LINE_CHARS = 64 * 1024;

export interface RawLine {
  /** 1-based line number in the input */
  no: number;
  text: string;
  /** set when the line was longer than MAX_LINE_CHARS and was cut */
  cut?: boolean;
}

/**
 * Splits decoded text chunks into lines, carrying partial lines across chunks. A line ends
 * at `\n`, `\r\n`, `\r\r\n` (serial consoles) or a run of lone `\r` (old terminals and
 * some capture tools end lines with CR only); a CR run at the end of a chunk waits for the
 * next chunk to tell which.
 */
export class LineSplitter {
  private partial = "";
  private partialCut = false;
  private lineNo: number;
  /** a run of `\r` ended the last chunk: a line break unless `\n` follows */
  private pendingCR = false;

  /** `startLine`: lines already read before the first byte pushed (to split a window of a file) */
  constructor(startLine = 0) {
    this.lineNo = startLine;
  }

  /** lines emitted so far, counting `startLine` */
  get lines(): number {
    return this.lineNo;
  }

  push(chunk: string, emit: (line: RawLine) => void): void {
    let start = 0;
    if (this.pendingCR) {
      while (chunk[start] === "\r") start++;
      if (start === chunk.length) return;
      this.pendingCR = false;
      if (chunk[start] === "\n") start++;
      emit(this.take());
    }
    for (;;) {
      const end = nextBreak(chunk, start);
      if (end === -1) {
        this.append(chunk.slice(start));
        return;
      }
      this.append(chunk.slice(start, end));
      let after = end;
      while (chunk[after] === "\r") after++;
      if (after === chunk.length) {
        this.pendingCR = chunk[end] === "\r";
        if (!this.pendingCR) emit(this.take());
        return;
      }
      if (chunk[after] === "\n") after++;
      emit(this.take());
      start = after;
    }
  }

  finish(emit: (line: RawLine) => void): void {
    if (this.partial.length > 0 || this.partialCut || this.pendingCR) emit(this.take());
    this.pendingCR = false;
  }

  private append(piece: string): void {
    if (this.partialCut) return;
    const room = MAX_LINE_CHARS - this.partial.length;
    if (piece.length > room) {
      this.partial += piece.slice(0, room);
      this.partialCut = true;
    } else {
      this.partial += piece;
    }
  }

  private take(): RawLine {
    const line: RawLine = { no: ++this.lineNo, text: this.partial };
    if (this.partialCut) line.cut = true;
    this.partial = "";
    this.partialCut = false;
    return line;
  }
}

/** Lines of a byte stream, decoded as UTF-8 (invalid bytes become U+FFFD). */
export async function* linesOfStream(
  stream: Readable | AsyncIterable<Uint8Array>,
): AsyncGenerator<RawLine> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const splitter = new LineSplitter();
  const ready: RawLine[] = [];
  const emit = (line: RawLine) => ready.push(line);
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    splitter.push(
      typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }),
      emit,
    );
    yield* ready.splice(0);
  }
  splitter.push(decoder.decode(), emit);
  splitter.finish(emit);
  yield* ready.splice(0);
}

export function linesOfString(text: string): RawLine[] {
  const out: RawLine[] = [];
  const splitter = new LineSplitter();
  splitter.push(text, (line) => out.push(line));
  splitter.finish((line) => out.push(line));
  return out;
}

const LINE_BREAK = /[\r\n]/g;

/** Index of the next `\r` or `\n` at or after `from`, or -1 (one pass over the chunk). */
function nextBreak(chunk: string, from: number): number {
  LINE_BREAK.lastIndex = from;
  return LINE_BREAK.exec(chunk)?.index ?? -1;
}
