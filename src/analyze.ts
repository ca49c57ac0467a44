/**
 * @module analyze
 * The library's front door: any input (a file, stdin, a string) → reports. Text inputs of
 * any size are streamed line by line.
 */
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { analyzeDump, type DumpFacts } from "./analyze-dump.js";
import { DETECT_HEAD_BYTES, detectDump } from "./dump/index.js";
import { CrashlensError } from "./errors.js";
import { type ParseResult, parseLines, parseText } from "./oops/parse.js";
import { linesOfStream } from "./text/line-source.js";

export type { DumpFacts } from "./analyze-dump.js";
export type { ParseResult } from "./oops/parse.js";

/** The first bytes of a file, for telling dumps from text by content. */
async function head(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = new Uint8Array(DETECT_HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads any input from a path: a vmcore (ELF, kdump-compressed, flattened; detected by its
 * content, whatever its name) or text.
 */
export async function analyzeFile(path: string): Promise<ParseResult & { dump?: DumpFacts }> {
  let first: Uint8Array;
  try {
    // a pipe (`<(zcat log.gz)`, /dev/stdin) cannot be read twice: it is text, read as a stream
    const info = await stat(path);
    if (info.isFIFO() || info.isCharacterDevice() || info.isSocket()) {
      // opened here so that a failure (a socket cannot be opened by name) is a read error
      const handle = await open(path);
      return analyzeTextStream(handle.createReadStream());
    }
    first = await head(path);
  } catch (cause) {
    throw readError(path, cause);
  }
  if (detectDump(first)) return analyzeDump([path]);
  return analyzeTextFile(path);
}

function readError(path: string, cause: unknown): CrashlensError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why =
    (
      {
        ENOENT: "no such file",
        EISDIR: "is a directory",
        EACCES: "permission denied",
        ENXIO: "a socket cannot be opened by name; pipe the text to `crashlens analyze -`",
      } as Record<string, string>
    )[code ?? ""] ?? String(code ?? cause);
  return new CrashlensError("os", `cannot read ${path}: ${why}`, { path, cause });
}

/** Reads a text input (log, crash session, ticket) from a path. */
export async function analyzeTextFile(path: string): Promise<ParseResult> {
  try {
    const handle = await open(path, "r");
    await handle.close();
  } catch (cause) {
    throw readError(path, cause);
  }
  return parseLines(linesOfStream(createReadStream(path, { highWaterMark: 256 * 1024 })));
}

/** Reads a text input from a stream (stdin). */
export function analyzeTextStream(stream: Readable): Promise<ParseResult> {
  return parseLines(linesOfStream(stream));
}

/** Parses text already in memory. */
export function analyzeText(text: string): ParseResult {
  return parseText(text);
}
