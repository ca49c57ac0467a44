/**
 * @module kernel/printk/types
 * One record shape for every printk buffer generation, and what the readers need.
 */
import { CrashlensError, checkBound } from "../../errors.js";
import type { VmcoreInfo } from "../vmcoreinfo.js";

export interface PrintkRecord {
  seq?: bigint;
  timestampNs: bigint;
  level?: number;
  facility?: number;
  /** "T123" (task) or "C1" (CPU context), when the kernel stored a caller id */
  caller?: string;
  text: string;
  /**
   * pre-3.5 plain-ring lines are printed as they are (with their own `<N>` and timestamp),
   * as makedumpfile does
   */
  verbatim?: boolean;
}

export interface LogSource {
  readonly info: VmcoreInfo;
  /** strict read: throws `fault` */
  read(address: bigint, length: number): Promise<Uint8Array>;
  /**
   * best-effort read: pages that cannot be read come back as zeros, are named in `warnings`,
   * and their byte ranges (relative to `address`) are listed in `holes`
   */
  readLenient(
    address: bigint,
    length: number,
    what: string,
  ): Promise<{ bytes: Uint8Array; holes: [number, number][] }>;
  readonly warnings: string[];
}

export interface LogResult {
  records: PrintkRecord[];
  warnings: string[];
  /** which buffer generation was read */
  generation?: "lockless" | "structured" | "legacy";
}

/** one DataView per byte array, reused: record loops read thousands of fields */
const views = new WeakMap<Uint8Array, DataView>();
function view(bytes: Uint8Array): DataView {
  let v = views.get(bytes);
  if (v === undefined) {
    v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    views.set(bytes, v);
  }
  return v;
}
/**
 * Field offsets come from VMCOREINFO, which is input: one that points outside the bytes read
 * is bad data (a CrashlensError), not a RangeError from the DataView.
 */
function fieldAt(bytes: Uint8Array, at: number, width: number): number {
  if (at >= 0 && at + width <= bytes.length) return at;
  throw new CrashlensError(
    "bad-data",
    `a printk field at offset ${at} lies outside the ${bytes.length} bytes read (VMCOREINFO OFFSET/SIZE disagree)`,
  );
}
export const u64 = (bytes: Uint8Array, at: number) =>
  view(bytes).getBigUint64(fieldAt(bytes, at, 8), true);
export const u32 = (bytes: Uint8Array, at: number) =>
  view(bytes).getUint32(fieldAt(bytes, at, 4), true);
export const u16 = (bytes: Uint8Array, at: number) =>
  view(bytes).getUint16(fieldAt(bytes, at, 2), true);

/**
 * Largest log buffer read: CONFIG_LOG_BUF_SHIFT allows 2^12..2^25 bytes and `log_buf_len=`
 * may ask for more (128M is seen on big servers); a size from a damaged dump above this is
 * refused rather than allocated, read and decoded (a 1 GiB one once crashed V8 on the string).
 */
export const MAX_LOG_BUF_BYTES = 256 * 1024 * 1024;
/** one VMCOREINFO SIZE() of a printk struct (printk_ringbuffer is 88 bytes, printk_info 88) */
export const MAX_STRUCT_BYTES = 4096;

/** A VMCOREINFO SIZE() that a struct can have: above 0 and at most MAX_STRUCT_BYTES. */
export function structSize(size: number, what: string): number {
  if (!(size > 0)) throw new CrashlensError("bad-data", `VMCOREINFO SIZE(${what}) is ${size}`);
  checkBound(size, MAX_STRUCT_BYTES, `SIZE(${what})`);
  return size;
}

const latin1 = new TextDecoder("latin1");
/** record text as bytes-in-a-string (latin1), so escaping can see every byte */
export const bytesToText = (bytes: Uint8Array) => latin1.decode(bytes);

export function overlapsHole(
  holes: readonly [number, number][],
  start: number,
  end: number,
): boolean {
  return holes.some(([a, b]) => start < b && end > a);
}

/** caller_id: top bit set = CPU number, clear = task PID (`print_caller()` in printk.c) */
export function callerOf(id: number): string | undefined {
  if (id === 0) return undefined;
  return id & 0x80000000 ? `C${id & 0x7fffffff}` : `T${id}`;
}
