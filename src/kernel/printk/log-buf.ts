/**
 * @module kernel/printk/log-buf
 * The plain character ring of kernels before 3.5: `log_buf` of `log_buf_len` bytes, written
 * up to `log_end` (an `unsigned long` up to 2.6.24, `unsigned` after; the low 32 bits read
 * the same on little-endian). The oldest byte is at `log_end % log_buf_len` once the ring has
 * wrapped. Lines keep their own `<N>` level and timestamp and are printed as they are.
 */
import { CrashlensError, checkBound } from "../../errors.js";
import type { LogResult, LogSource, PrintkRecord } from "./types.js";
import { bytesToText, MAX_LOG_BUF_BYTES, u32, u64 } from "./types.js";

export function hasLegacy(source: LogSource): boolean {
  return source.info.symbols.has("log_buf") && source.info.symbols.has("log_end");
}

/** How much of the ring is read at a time. */
const READ_CHUNK = 4 * 1024 * 1024;

/** One line of the ring as printk wrote it, with its own "<N>" level and timestamp, if any. */
function recordOf(line: string): PrintkRecord {
  const m = /^(?:<(\d)>)?(?:\[\s*(\d+)\.(\d{6})\])?/.exec(line);
  const record: PrintkRecord = {
    timestampNs:
      m?.[2] !== undefined ? BigInt(m[2]) * 1_000_000_000n + BigInt(m[3] as string) * 1000n : 0n,
    text: line,
    verbatim: true,
  };
  if (m?.[1] !== undefined) record.level = Number(m[1]);
  return record;
}

export async function readLegacy(source: LogSource): Promise<LogResult> {
  const { info } = source;
  const symbol = (name: string) => info.symbols.get(name) as bigint;
  if (!info.symbols.has("log_buf_len"))
    throw new CrashlensError("not-found", "VMCOREINFO has no SYMBOL(log_buf_len)");
  const logBuf = u64(await source.read(symbol("log_buf"), 8), 0);
  const bufLen = u32(await source.read(symbol("log_buf_len"), 4), 0);
  const end = u32(await source.read(symbol("log_end"), 4), 0);
  if (bufLen === 0) throw new CrashlensError("bad-data", "log_buf_len 0 is implausible");
  checkBound(bufLen, MAX_LOG_BUF_BYTES, "log_buf_len");
  const length = Math.min(end, bufLen);
  const start = end > bufLen ? end % bufLen : 0;
  // The oldest bytes run from `start` to the end of the ring, then wrap to its start. The
  // ring is read a chunk at a time and cut into lines as it goes, so a large log_buf_len
  // costs its lines, not a second copy of the ring; NUL bytes (holes, never-written space)
  // are not text.
  const pieces: Array<[number, number]> = [[start, Math.min(bufLen, start + length)]];
  const wrapped = length - (pieces[0] as [number, number])[1] + start;
  if (wrapped > 0) pieces.push([0, wrapped]);
  const warnings: string[] = [];
  const records: PrintkRecord[] = [];
  let partial = "";
  let holes = false;
  for (const [from, to] of pieces) {
    for (let at = from; at < to; at += READ_CHUNK) {
      const size = Math.min(READ_CHUNK, to - at);
      const chunk = await source.readLenient(logBuf + BigInt(at), size, "log buffer");
      if (chunk.holes.length > 0) holes = true;
      const lines = (partial + bytesToText(chunk.bytes).replace(/\0+/g, "")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) records.push(recordOf(line));
    }
  }
  // a line the ring ends in without its newline is still a line
  if (partial !== "") records.push(recordOf(partial));
  if (holes) warnings.push("parts of the plain log ring are missing; they are left out");
  return { records, warnings, generation: "legacy" };
}
