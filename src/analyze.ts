/**
 * @module analyze
 * The library's front door: any input (a file, stdin, a string) → reports. Text inputs of
 * any size are streamed line by line.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { CrashlensError } from "./errors.js";
import { type ParseResult, parseLines, parseText } from "./oops/parse.js";
import { linesOfStream } from "./text/line-source.js";

export type { ParseResult } from "./oops/parse.js";

/** Reads a text input (log, crash session, ticket) from a path. */
export async function analyzeTextFile(path: string): Promise<ParseResult> {
  try {
    const handle = await open(path, "r");
    await handle.close();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : String(code ?? cause);
    throw new CrashlensError("os", `cannot read ${path}: ${why}`, { path, cause });
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
