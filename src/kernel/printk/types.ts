/**
 * @module kernel/printk/types
 * One record shape for every printk buffer generation, and what the readers need.
 */
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
export const u64 = (bytes: Uint8Array, at: number) => view(bytes).getBigUint64(at, true);
export const u32 = (bytes: Uint8Array, at: number) => view(bytes).getUint32(at, true);
export const u16 = (bytes: Uint8Array, at: number) => view(bytes).getUint16(at, true);

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
