/**
 * @module kernel/unwind/frame-pointer
 * The rbp chain, for kernels built with CONFIG_UNWINDER_FRAME_POINTER (no ORC): each frame
 * holds [rbp] = the caller's rbp and [rbp + 8] = the return address. Entry code marks a
 * pt_regs by storing its address + 1 in rbp (ENCODE_FRAME_POINTER, decoded by the kernel's
 * `decode_frame_pointer()` in unwind_frame.c). A zero rbp ends the chain; when the frame
 * below it sits right under a pt_regs at the top of its stack, those registers (the user
 * mode ones, for a syscall) are attached as the kernel's fp unwinder does.
 */
import { hex } from "./format.js";
import { FrameList, isTextAddress, type WalkOutcome } from "./frames.js";
import { isUserMode, PT_REGS_SIZE, ptRegsOffsets, readPtRegs } from "./pt-regs.js";
import { StackGuard } from "./stacks.js";
import { startPoint, type UnwindState } from "./start.js";
import type { StopReason, UnwindContext, UnwindStart } from "./types.js";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function walkFramePointers(
  ctx: UnwindContext,
  start: UnwindStart,
): Promise<WalkOutcome> {
  const begin = await startPoint(ctx.read, start, () => false);
  if (!("state" in begin))
    return { list: new FrameList(ctx), stop: begin, sp: undefined, guard: undefined };
  let state: UnwindState = begin.state;
  const guard = new StackGuard(ctx.stackOf, state.sp);
  const list = new FrameList(ctx, guard);
  const stop = (s: StopReason): WalkOutcome => ({ list, stop: s, sp: state.sp, guard });
  const max = ctx.maxFrames ?? 256;
  const frameLimit: StopReason = { kind: "frame-limit", detail: `stopped after ${max} frames` };
  const ptRegs = ptRegsOffsets(ctx.ptRegsOffsets);
  let framed = true;
  list.push(begin.frame.kind, begin.frame.sp, state.ip, true);

  for (let pass = 0; pass < 2 * max + 2; pass++) {
    const bp = state.bp;
    try {
      if (bp === undefined || bp === 0n) {
        const top = guard.stack?.end;
        if (top !== undefined && state.sp + BigInt(PT_REGS_SIZE) === top) {
          const regs = await readPtRegs(ctx.read, state.sp, true, ptRegs);
          const owner = list.last;
          if (owner) owner.regs = regs;
          if (isUserMode(regs))
            return stop({ kind: "user-mode", detail: `user-mode registers at ${hex(state.sp)}` });
        }
        return stop({ kind: "end-of-stack", detail: "rbp is 0: the outermost frame" });
      }
      if ((bp & 1n) === 1n) {
        // an encoded pt_regs: continue from the interrupted context
        if (!framed) {
          if (list.frames.length >= max) return stop(frameLimit);
          list.push("interrupted", state.sp, state.ip, true);
        }
        const regs = await readPtRegs(ctx.read, bp - 1n, true, ptRegs);
        const owner = list.last;
        if (owner) owner.regs = regs;
        if (isUserMode(regs))
          return stop({ kind: "user-mode", detail: `user-mode registers at ${hex(regs.address)}` });
        const next = regs.values.rsp ?? 0n;
        const moved = guard.move(state.sp, next);
        if (moved) return stop(moved);
        state = {
          ip: regs.values.rip ?? 0n,
          sp: next,
          bp: regs.values.rbp,
          regs: { ...regs.values },
          signal: true,
        };
        framed = false;
        continue;
      }
      const words = await ctx.read(bp, 16);
      const view = new DataView(words.buffer, words.byteOffset, 16);
      const callerBp = view.getBigUint64(0, true);
      const ip = view.getBigUint64(8, true);
      const moved = guard.move(state.sp, bp + 16n);
      if (moved) return stop(moved);
      if (ip === 0n)
        return stop({ kind: "zero-ip", detail: `the return address at ${hex(bp + 8n)} is 0` });
      if (!isTextAddress(ctx, ip))
        return stop({
          kind: "not-text",
          detail: `the word ${hex(ip)} at ${hex(bp + 8n)} is not a kernel text address`,
        });
      if (list.frames.length >= max) return stop(frameLimit);
      list.push("return", bp + 8n, ip, true);
      framed = true;
      state = { ip, sp: bp + 16n, bp: callerBp, regs: undefined, signal: false };
    } catch (error) {
      return stop({
        kind: "unreadable",
        detail: `following rbp ${bp === undefined ? "?" : hex(bp)}: ${message(error)}`,
      });
    }
  }
  return stop({ kind: "frame-limit", detail: `stopped after ${2 * max + 2} steps` });
}
