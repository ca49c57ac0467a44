/**
 * @module kernel/unwind/arm64-scan
 * The last resort on arm64, as on x86 (scan.ts): stack words that, with their
 * pointer-authentication bits stripped, are kernel text right after a `bl`/`blr`. Every
 * frame found is a guess (crash's `?`).
 */
import { followsArm64Call, stripPac } from "./arm64-regs.js";
import { FrameList, isTextAddress } from "./frames.js";
import type { Frame, UnwindContext } from "./types.js";

/** a scan never reads more than this (four 16 KiB stacks) */
const MAX_SCAN_BYTES = 64 * 1024;

/** Scans [from, to) for saved return addresses; unreadable pages end it quietly. */
export async function scanArm64Stack(
  ctx: UnwindContext,
  from: bigint,
  to: bigint,
  maxFrames = ctx.maxFrames ?? 256,
): Promise<Frame[]> {
  const list = new FrameList(ctx);
  const pacMask = ctx.arm64?.pacMask ?? 0n;
  let at = (from + 7n) & ~7n;
  const end = to - at > BigInt(MAX_SCAN_BYTES) ? at + BigInt(MAX_SCAN_BYTES) : to;
  while (at + 8n <= end && list.frames.length < maxFrames) {
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
    for (let i = 0; i < count && list.frames.length < maxFrames; i++) {
      const word = stripPac(view.getBigUint64(i * 8, true), pacMask);
      if (!isTextAddress(ctx, word) || !(await followsArm64Call(ctx.read, word))) continue;
      const frame = list.push("scanned", at + BigInt(i * 8), word, false);
      (frame as { callSite?: bigint }).callSite = word - 4n;
    }
    at = stop;
  }
  return list.frames;
}
