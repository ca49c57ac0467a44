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
  const area = await source.readLenient(logBuf, bufLen, "log buffer");
  const warnings: string[] = [];
  if (area.holes.length > 0)
    warnings.push("parts of the plain log ring are missing; they read as NUL bytes");
  const length = Math.min(end, bufLen);
  const start = end > bufLen ? end % bufLen : 0;
  // the oldest bytes run from `start` to the end of the ring, then wrap to its start
  const text = new Uint8Array(length);
  const tail = area.bytes.subarray(start, Math.min(bufLen, start + length));
  text.set(tail);
  text.set(area.bytes.subarray(0, length - tail.length), tail.length);
  const records: PrintkRecord[] = [];
  const lines = bytesToText(text).split("\n");
  // a trailing newline leaves one empty string, which is not a line
  if (lines[lines.length - 1] === "") lines.pop();
  for (const line of lines) {
    const m = /^(?:<(\d)>)?(?:\[\s*(\d+)\.(\d{6})\])?/.exec(line);
    const record: PrintkRecord = {
      timestampNs:
        m?.[2] !== undefined ? BigInt(m[2]) * 1_000_000_000n + BigInt(m[3] as string) * 1000n : 0n,
      text: line,
      verbatim: true,
    };
    if (m?.[1] !== undefined) record.level = Number(m[1]);
    records.push(record);
  }
  return { records, warnings, generation: "legacy" };
}
