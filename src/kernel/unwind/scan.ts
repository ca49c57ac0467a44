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
 * Visits each 8-byte word of [from, to) (aligned up, at most MAX_SCAN_BYTES), a page at a
 * time so one missing page does not hide what came before it; an unreadable page ends the
 * walk quietly, as does `done()` turning true.
 */
export async function forEachStackWord(
  ctx: UnwindContext,
  from: bigint,
  to: bigint,
  done: () => boolean,
  visit: (slot: bigint, word: bigint) => Promise<void>,
): Promise<void> {
  let at = (from + 7n) & ~7n;
  const end = to - at > BigInt(MAX_SCAN_BYTES) ? at + BigInt(MAX_SCAN_BYTES) : to;
  while (at + 8n <= end && !done()) {
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
    for (let i = 0; i < count && !done(); i++)
      await visit(at + BigInt(i * 8), view.getBigUint64(i * 8, true));
    at = stop;
  }
}

/** Scans [from, to) for return addresses; what was found before an unreadable page is kept. */
export async function scanStack(
  ctx: UnwindContext,
  from: bigint,
  to: bigint,
  options: ScanOptions = {},
): Promise<Frame[]> {
  const list = new FrameList(ctx);
  const limit = options.maxFrames ?? ctx.maxFrames ?? 256;
  await forEachStackWord(
    ctx,
    from,
    to,
    () => list.frames.length >= limit,
    async (slot, word) => {
      if (!isTextAddress(ctx, word)) return;
      if (options.requireCall !== false && !(await followsCall(ctx.read, word))) return;
      list.push("scanned", slot, word, false);
    },
  );
  return list.frames;
}
