/**
 * @module analyze
 * The library's front door: any input (a file, stdin, a string) → reports. Text inputs of
 * any size are streamed line by line.
 */
import { type FileHandle, open } from "node:fs/promises";
import { endianness } from "node:os";
import type { Readable } from "node:stream";
import type { DumpFacts } from "./analyze-dump.js";
import { DETECT_HEAD_BYTES, detectDump } from "./dump/detect.js";
import { CrashlensError } from "./errors.js";
import { type ParseResult, parseLines, parseText } from "./oops/parse.js";
import { fileSource, parseBytesFast } from "./oops/scan-file.js";
import { linesOfStream } from "./text/line-source.js";

export type { DumpFacts } from "./analyze-dump.js";
export type { ParseResult } from "./oops/parse.js";

/**
 * Text files from this size on are scanned in raw bytes and parsed only around what may
 * matter (oops/scan-file.ts; same result as streaming every line, much faster). Smaller
 * ones take the plain stream, whose start-up is lighter.
 */
export const FAST_SCAN_MIN_BYTES = 4 << 20;
/** the byte scanner reads 32-bit words and assumes their byte order (s390x is big-endian) */
const LITTLE_ENDIAN = endianness() === "LE";

/** The first bytes of a file, for telling dumps from text by content. */
async function head(handle: FileHandle): Promise<Uint8Array> {
  const buffer = new Uint8Array(DETECT_HEAD_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  return buffer.subarray(0, bytesRead);
}

/**
 * Reads any input from a path: a vmcore (ELF, kdump-compressed, flattened; detected by its
 * content, whatever its name) or text. The file is opened once; a pipe (`<(zcat log.gz)`,
 * /dev/stdin) cannot be read twice, so it is text, streamed from the start.
 */
export async function analyzeFile(path: string): Promise<ParseResult & { dump?: DumpFacts }> {
  let handle: FileHandle | undefined;
  let isDump = false;
  let seekable = false;
  let size = 0;
  let regular = false;
  try {
    handle = await open(path, "r");
    const info = await handle.stat();
    if (info.isDirectory()) throw Object.assign(new Error(path), { code: "EISDIR" });
    seekable = info.isFile() || info.isBlockDevice();
    regular = info.isFile();
    size = info.size;
    isDump = seekable && detectDump(await head(handle)) !== undefined;
  } catch (cause) {
    await handle?.close();
    throw readError(path, cause);
  }
  if (isDump) {
    await handle.close();
    // the dump readers load only when a dump is given: text-only runs start faster
    const { analyzeDump } = await import("./analyze-dump.js");
    return analyzeDump([path]);
  }
  if (regular && size >= FAST_SCAN_MIN_BYTES && LITTLE_ENDIAN) {
    try {
      return await parseBytesFast(fileSource(handle, size));
    } finally {
      await handle.close();
    }
  }
  // the head was read with pread: a file's stream still starts at 0; a pipe's was not touched
  const from = seekable ? { start: 0 } : {};
  return analyzeTextStream(handle.createReadStream({ ...from, highWaterMark: 256 * 1024 }));
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

/** Reads a text input from a stream (stdin). */
export function analyzeTextStream(stream: Readable): Promise<ParseResult> {
  return parseLines(linesOfStream(stream));
}

/** Parses text already in memory. */
export function analyzeText(text: string): ParseResult {
  return parseText(text);
}
