/**
 * @module kernel/unwind/arm64-scan
 * The last resort on arm64, as on x86 (scan.ts): stack words that, with their
 * pointer-authentication bits stripped, are kernel text right after a `bl`/`blr`. Every
 * frame found is a guess (crash's `?`).
 */
import { followsArm64Call, stripPac } from "./arm64-regs.js";
import { FrameList, isTextAddress } from "./frames.js";
import { forEachStackWord } from "./scan.js";
import type { Frame, UnwindContext } from "./types.js";

/** Scans [from, to) for saved return addresses; unreadable pages end it quietly. */
export async function scanArm64Stack(
  ctx: UnwindContext,
  from: bigint,
  to: bigint,
  maxFrames = ctx.maxFrames ?? 256,
): Promise<Frame[]> {
  const list = new FrameList(ctx);
  const pacMask = ctx.arm64?.pacMask ?? 0n;
  await forEachStackWord(
    ctx,
    from,
    to,
    () => list.frames.length >= maxFrames,
    async (slot, raw) => {
      const word = stripPac(raw, pacMask);
      if (!isTextAddress(ctx, word) || !(await followsArm64Call(ctx.read, word))) return;
      const frame = list.push("scanned", slot, word, false);
      (frame as { callSite?: bigint }).callSite = word - 4n;
    },
  );
  return list.frames;
}
