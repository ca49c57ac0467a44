/**
 * @module kernel/printk/printk-log
 * Variable-length records in `log_buf` (v3.5–v5.9: `struct printk_log`, called `struct log`
 * in 3.5–3.10). Chosen when VMCOREINFO has SYMBOL(log_first_idx). Walk from `log_first_idx`
 * by each record's `len`; `len == 0` wraps to index 0; stop at `log_next_idx`.
 * Header: u64 ts_nsec; u16 len, text_len, dict_len; u8 facility; u8 flags:5, level:3
 * (then u32 caller_id with CONFIG_PRINTK_CALLER, 5.1+); text follows the header.
 */
import { CrashlensError, checkBound } from "../../errors.js";
import type { LogResult, LogSource, PrintkRecord } from "./types.js";
import {
  bytesToText,
  MAX_LOG_BUF_BYTES,
  overlapsHole,
  structSize,
  u16,
  u32,
  u64,
} from "./types.js";

export function hasStructured(source: LogSource): boolean {
  return source.info.symbols.has("log_first_idx");
}

export async function readStructured(source: LogSource): Promise<LogResult> {
  const { info } = source;
  const warnings: string[] = [];
  const symbol = (name: string) => {
    const v = info.symbols.get(name);
    if (v === undefined) throw new CrashlensError("not-found", `VMCOREINFO has no SYMBOL(${name})`);
    return v;
  };
  // the struct was renamed printk_log in 3.11; accept either spelling
  const struct = info.sizes.has("printk_log") ? "printk_log" : "log";
  const headerSize = info.sizes.get(struct);
  const offset = (field: string) => {
    const v = info.offsets.get(`${struct}.${field}`);
    if (v === undefined)
      throw new CrashlensError("not-found", `VMCOREINFO has no OFFSET(${struct}.${field})`);
    return v;
  };
  if (headerSize === undefined)
    throw new CrashlensError("not-found", "VMCOREINFO has no SIZE(printk_log)");
  structSize(headerSize, struct);
  const tsAt = offset("ts_nsec");
  const lenAt = offset("len");
  const textLenAt = offset("text_len");
  const dictLenAt = offset("dict_len");
  const callerAt = info.offsets.get(`${struct}.caller_id`);

  const logBuf = u64(await source.read(symbol("log_buf"), 8), 0);
  const bufLen = u32(await source.read(symbol("log_buf_len"), 4), 0);
  const first = u32(await source.read(symbol("log_first_idx"), 4), 0);
  const next = u32(await source.read(symbol("log_next_idx"), 4), 0);
  if (bufLen === 0) throw new CrashlensError("bad-data", "log_buf_len 0 is implausible");
  checkBound(bufLen, MAX_LOG_BUF_BYTES, "log_buf_len");
  const area = await source.readLenient(logBuf, bufLen, "log buffer");
  const buf = area.bytes;

  const records: PrintkRecord[] = [];
  let idx = first;
  let wrapped = false;
  let damaged = 0;
  const seen = new Set<number>();
  while (idx !== next) {
    if (seen.has(idx)) {
      warnings.push(`printk log: the record chain loops at index ${idx}; stopping`);
      break;
    }
    seen.add(idx);
    if (idx + headerSize > bufLen) {
      warnings.push(
        `printk log: record index ${idx} is past the buffer (${bufLen} bytes); stopping`,
      );
      break;
    }
    if (overlapsHole(area.holes, idx, idx + headerSize)) {
      damaged++;
      warnings.push(`printk log: the record at index ${idx} is in a missing page; stopping`);
      break;
    }
    const len = u16(buf, idx + lenAt);
    if (len === 0) {
      // a zero length marks the end of the used area: continue at the start of the buffer
      if (wrapped) {
        warnings.push("printk log: wrapped twice; stopping");
        break;
      }
      wrapped = true;
      idx = 0;
      continue;
    }
    const textLen = u16(buf, idx + textLenAt);
    const textStart = idx + headerSize;
    const textEnd = Math.min(textStart + textLen, bufLen);
    const flags = buf[idx + dictLenAt + 3] as number;
    const record: PrintkRecord = {
      timestampNs: u64(buf, idx + tsAt),
      facility: buf[idx + dictLenAt + 2] as number,
      level: flags >> 5,
      text: bytesToText(buf.subarray(textStart, textEnd)),
    };
    if (callerAt !== undefined) {
      const id = u32(buf, idx + callerAt);
      if (id !== 0) record.caller = id & 0x80000000 ? `C${id & 0x7fffffff}` : `T${id}`;
    }
    if (overlapsHole(area.holes, textStart, textEnd)) damaged++;
    else records.push(record);
    idx += len;
  }
  if (damaged > 0)
    warnings.push(`${damaged} log records lie in parts of the log buffer missing from the dump`);
  return { records, warnings, generation: "structured" };
}
