/**
 * @module kernel/unwind/scan
 * The last resort, as the kernel's `show_trace_log_lvl()` and crash do with `?` lines: every
 * stack word in a range that is a kernel text address right after a call instruction. Such
 * words are often stale, so every frame found is unreliable.
 */
import { followsCall } from "./call-site.js";
import { FrameList, isTextAddress } from "./frames.js";
import type { Frame, UnwindContext } from "./types.js";

/** a scan never reads more than this (four times a 16 KiB task stack) */
const MAX_SCAN_BYTES = 64 * 1024;

export interface ScanOptions {
  /** require a call instruction before each address (default true) */
  readonly requireCall?: boolean;
  /** at most this many frames (default ctx.maxFrames or 256) */
  readonly maxFrames?: number;
}

/**
 * Scans [from, to) (8-byte aligned up) for return addresses. Unreadable pages end the scan
 * quietly: what was found before them is returned.
 */
export async function scanStack(
  ctx: UnwindContext,
  from: bigint,
  to: bigint,
  options: ScanOptions = {},
): Promise<Frame[]> {
  const list = new FrameList(ctx);
  const limit = options.maxFrames ?? ctx.maxFrames ?? 256;
  let at = (from + 7n) & ~7n;
  const end = to - at > BigInt(MAX_SCAN_BYTES) ? at + BigInt(MAX_SCAN_BYTES) : to;
  while (at + 8n <= end && list.frames.length < limit) {
    // a page at a time, so one missing page does not hide the rest of a read
    const pageEnd = (at | 0xfffn) + 1n;
    const stop = pageEnd < end ? pageEnd : end;
    const count = Number((stop - at) / 8n);
    if (count === 0) break;
    let bytes: Uint8Array;
    try {
      bytes = await ctx.read(at, count * 8);
    } catch {
      break;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count && list.frames.length < limit; i++) {
      const word = view.getBigUint64(i * 8, true);
      if (!isTextAddress(ctx, word)) continue;
      if (options.requireCall !== false && !(await followsCall(ctx.read, word))) continue;
      list.push("scanned", at + BigInt(i * 8), word, false);
    }
    at = stop;
  }
  return list.frames;
}
