/**
 * @module kernel/printk/prb
 * The lockless printk ring buffer (v5.10+, `kernel/printk/printk_ringbuffer.h`). Chosen when
 * VMCOREINFO has SYMBOL(prb). Every layout fact comes from VMCOREINFO OFFSET/SIZE entries;
 * only the `printk_info` fields VMCOREINFO leaves out (facility, flags/level right after
 * text_len) are fixed, and they have not moved since 5.10.
 */
import { CrashlensError, checkBound } from "../../errors.js";
import type { LogResult, LogSource, PrintkRecord } from "./types.js";
import {
  bytesToText,
  callerOf,
  MAX_LOG_BUF_BYTES,
  overlapsHole,
  structSize,
  u16,
  u32,
  u64,
} from "./types.js";

/** desc states, in the top two bits of state_var (`enum desc_state`) */
const DESC_COMMITTED = 1n;
const DESC_FINALIZED = 2n;
const STATE_SHIFT = 62n;
const ID_MASK = (1n << STATE_SHIFT) - 1n;
const MAX_COUNT_BITS = 24;
const MAX_SIZE_BITS = 28; // MAX_LOG_BUF_BYTES

export function hasLockless(source: LogSource): boolean {
  return source.info.symbols.has("prb");
}

export async function readLockless(source: LogSource): Promise<LogResult> {
  const { info } = source;
  const warnings: string[] = [];
  const need = (map: ReadonlyMap<string, number>, key: string, kind: string) => {
    const v = map.get(key);
    if (v === undefined) throw new CrashlensError("not-found", `VMCOREINFO has no ${kind}(${key})`);
    return v;
  };
  const off = (key: string) => need(info.offsets, key, "OFFSET");
  const size = (key: string) => structSize(need(info.sizes, key, "SIZE"), key);
  const counter = info.offsets.get("atomic_long_t.counter") ?? 0;

  const prbPointer = info.symbols.get("prb") as bigint;
  const rbAddress = u64(await source.read(prbPointer, 8), 0);
  const rb = await source.read(rbAddress, size("printk_ringbuffer"));
  const descRing = off("printk_ringbuffer.desc_ring");
  const textRing = off("printk_ringbuffer.text_data_ring");
  const countBits = u32(rb, descRing + off("prb_desc_ring.count_bits"));
  const descs = u64(rb, descRing + off("prb_desc_ring.descs"));
  const infos = u64(rb, descRing + off("prb_desc_ring.infos"));
  const headId = u64(rb, descRing + off("prb_desc_ring.head_id") + counter);
  const tailId = u64(rb, descRing + off("prb_desc_ring.tail_id") + counter);
  const sizeBits = u32(rb, textRing + off("prb_data_ring.size_bits"));
  const data = u64(rb, textRing + off("prb_data_ring.data"));
  checkBound(countBits, MAX_COUNT_BITS, "printk desc_ring.count_bits");
  checkBound(sizeBits, MAX_SIZE_BITS, "printk text_data_ring.size_bits");

  const count = 1 << countBits;
  const dataSize = 1n << BigInt(sizeBits);
  const descSize = size("prb_desc");
  const infoSize = size("printk_info");
  checkBound(count * descSize, MAX_LOG_BUF_BYTES, "printk descriptor ring size");
  checkBound(count * infoSize, MAX_LOG_BUF_BYTES, "printk info array size");
  const descArea = await source.readLenient(descs, count * descSize, "printk descriptor ring");
  const infoArea = await source.readLenient(infos, count * infoSize, "printk info array");
  const textArea = await source.readLenient(data, Number(dataSize), "log buffer");
  const stateVar = off("prb_desc.state_var") + counter;
  const lpos = off("prb_desc.text_blk_lpos");
  const lposBegin = lpos + off("prb_data_blk_lpos.begin");
  const lposNext = lpos + off("prb_data_blk_lpos.next");
  const seqAt = off("printk_info.seq");
  const tsAt = off("printk_info.ts_nsec");
  const lenAt = off("printk_info.text_len");
  const callerAt = info.offsets.get("printk_info.caller_id");

  const records: PrintkRecord[] = [];
  let damaged = 0;
  let overwritten = 0;
  let id = tailId & ID_MASK;
  const head = headId & ID_MASK;
  for (let steps = 0; steps <= count; steps++) {
    const slot = Number(id % BigInt(count));
    const d = slot * descSize;
    const i = slot * infoSize;
    const record =
      overlapsHole(descArea.holes, d, d + descSize) || overlapsHole(infoArea.holes, i, i + infoSize)
        ? undefined
        : decode(d, i);
    if (record === "damaged") damaged++;
    else if (record === "overwritten") overwritten++;
    else if (record !== undefined) records.push(record);
    if (id === head) break;
    id = (id + 1n) & ID_MASK;
  }
  if (damaged > 0)
    warnings.push(`${damaged} log records lie in parts of the log buffer missing from the dump`);
  if (overwritten > 0)
    warnings.push(
      `${overwritten} log records had their text overwritten by newer ones (skipped, as the kernel does)`,
    );
  return { records, warnings, generation: "lockless" };

  function decode(d: number, i: number): PrintkRecord | "damaged" | "overwritten" | undefined {
    const sv = u64(descArea.bytes, d + stateVar);
    const state = sv >> STATE_SHIFT;
    if ((sv & ID_MASK) !== id || (state !== DESC_COMMITTED && state !== DESC_FINALIZED))
      return undefined;
    const begin = u64(descArea.bytes, d + lposBegin);
    const next = u64(descArea.bytes, d + lposNext);
    const textLen = u16(infoArea.bytes, i + lenAt);
    const flagsByte = infoArea.bytes[i + lenAt + 3] as number;
    const record: PrintkRecord = {
      seq: u64(infoArea.bytes, i + seqAt),
      timestampNs: u64(infoArea.bytes, i + tsAt),
      facility: infoArea.bytes[i + lenAt + 2] as number,
      level: flagsByte >> 5,
      text: "",
    };
    if (callerAt !== undefined) {
      const caller = callerOf(u32(infoArea.bytes, i + callerAt));
      if (caller !== undefined) record.caller = caller;
    }
    // data-less records (no text, or failed reservations) have bit 0 set in begin
    if ((begin & 1n) !== 0n || begin === next) return record;
    const wraps = (lp: bigint) => lp >> BigInt(sizeBits);
    let start: number;
    let length: number;
    if (wraps(begin) === wraps(next) && begin < next) {
      start = Number(begin % dataSize);
      length = Number(next - begin);
    } else if (wraps(begin + dataSize) === wraps(next)) {
      start = 0; // the block wrapped: it was written at the start of the ring
      length = Number(next % dataSize);
    } else {
      return undefined; // impossible positions: a stale descriptor
    }
    // each block starts with its descriptor id (an unsigned long)
    length -= 8;
    if (length < 0 || start + 8 > textArea.bytes.length) return undefined;
    const take = Math.min(textLen, length, textArea.bytes.length - start - 8);
    if (overlapsHole(textArea.holes, start, start + 8 + take)) return "damaged";
    // a newer record wrote over this block: the kernel's reader (get_data) drops it too
    if ((u64(textArea.bytes, start) & ID_MASK) !== id) return "overwritten";
    record.text = bytesToText(textArea.bytes.subarray(start + 8, start + 8 + take));
    return record;
  }
}
