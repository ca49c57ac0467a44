/**
 * @module text/line-source
 * Turns bytes (a file, stdin, a string) into numbered lines without ever holding more than
 * one line (capped) in memory. Line numbers count `\n` as an editor does; a trailing `\r`
 * is dropped. Over-long lines are cut at `MAX_LINE_CHARS` and the cut is reported.
 */
import { createReadStream } from "node:fs";
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

/** Splits decoded text chunks into lines, carrying partial lines across chunks. */
export class LineSplitter {
  private partial = "";
  private partialCut = false;
  private lineNo = 0;

  push(chunk: string, emit: (line: RawLine) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf("\n", start);
      if (nl === -1) {
        this.append(chunk.slice(start));
        return;
      }
      this.append(chunk.slice(start, nl));
      emit(this.take());
      start = nl + 1;
    }
  }

  finish(emit: (line: RawLine) => void): void {
    if (this.partial.length > 0 || this.partialCut) emit(this.take());
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
    let text = this.partial;
    if (text.endsWith("\r")) text = text.replace(/\r+$/, "");
    const line: RawLine = { no: ++this.lineNo, text };
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

export function linesOfFile(path: string): AsyncGenerator<RawLine> {
  return linesOfStream(createReadStream(path, { highWaterMark: 256 * 1024 }));
}

export function linesOfString(text: string): RawLine[] {
  const out: RawLine[] = [];
  const splitter = new LineSplitter();
  splitter.push(text, (line) => out.push(line));
  splitter.finish((line) => out.push(line));
  return out;
}
