/**
 * @module kernel/unwind/orc-unwinder
 * Walks a stack with ORC: look the ip up (ip − 1 for return addresses), take one step, check
 * that the stack pointer moved up or to a new known stack, repeat. Frames follow crash: one per
 * return address; the registers an interrupt or exception saved hang on the frame whose entry
 * code saved them (crash's `[exception RIP: …]`), and the interrupted ip gets no frame of its
 * own unless exception frames nest.
 */
import { hex } from "./format.js";
import { FrameList, isTextAddress, type WalkOutcome } from "./frames.js";
import { orcStep } from "./orc-step.js";
import { isUserMode, ptRegsOffsets } from "./pt-regs.js";
import { StackGuard } from "./stacks.js";
import { startPoint, type UnwindState } from "./start.js";
import type { OrcEntry, OrcLookup, StopReason, UnwindContext, UnwindStart } from "./types.js";

/**
 * unwind_orc.c's `orc_fp_entry`: the guess for text with no ORC entry (BPF, code ORC does not
 * cover): assume a frame pointer. Frames after a guess are unreliable.
 */
const FRAME_POINTER_GUESS: OrcEntry = {
  type: "call",
  spReg: "bp",
  spOffset: 16,
  bpReg: "prev-sp",
  bpOffset: -16,
  signal: false,
};

/**
 * orc_find()'s `null_orc_entry` for ip 0: a call through a NULL function pointer, caught
 * before the callee pushed anything, so the return address is at rsp.
 */
const NULL_CALL: OrcEntry = {
  type: "call",
  spReg: "sp",
  spOffset: 8,
  bpReg: "undefined",
  bpOffset: 0,
  signal: false,
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function walkOrc(
  ctx: UnwindContext,
  orc: OrcLookup,
  start: UnwindStart,
): Promise<WalkOutcome> {
  const begin = await startPoint(ctx.read, start, (ip) => ctx.symbolize?.(ip)?.offset === 0);
  if (!("state" in begin))
    return { list: new FrameList(ctx), stop: begin, sp: undefined, guard: undefined };
  let state: UnwindState = begin.state;
  const guard = new StackGuard(ctx.stackOf, state.sp);
  const list = new FrameList(ctx, guard);
  const stop = (s: StopReason): WalkOutcome => ({ list, stop: s, sp: state.sp, guard });
  const max = ctx.maxFrames ?? 256;
  const frameLimit: StopReason = { kind: "frame-limit", detail: `stopped after ${max} frames` };
  const ptRegs = ptRegsOffsets(ctx.ptRegsOffsets);
  let reliable = true;
  // does the current ip have a frame? (not after a pt_regs step: crash shows it in the regs)
  let framed = true;
  list.push(begin.frame.kind, begin.frame.sp, state.ip, true, state.signal);

  // each pass adds a frame or leaves the current one unframed, so 2 × max passes suffice
  for (let pass = 0; pass < 2 * max + 2; pass++) {
    const lookupIp = state.signal ? state.ip : state.ip - 1n;
    let entry: OrcEntry;
    try {
      const match = state.ip === 0n ? { entry: NULL_CALL } : await orc.find(lookupIp);
      if (match === undefined) {
        if (!isTextAddress(ctx, state.ip))
          return stop({ kind: "not-text", detail: `ip ${hex(state.ip)} is not kernel text` });
        entry = FRAME_POINTER_GUESS;
        reliable = false;
      } else entry = match.entry;
    } catch (error) {
      return stop({
        kind: "unreadable",
        detail: `reading the ORC table for ip ${hex(state.ip)}: ${message(error)}`,
      });
    }
    if (entry.type === "end-of-stack")
      return stop({
        kind: "end-of-stack",
        detail: `ORC marks ip ${hex(state.ip)} as the end of the stack`,
      });
    if (entry.type === "undefined")
      return stop({
        kind: "no-unwind-info",
        detail: `ORC has no unwind information for ip ${hex(state.ip)}`,
      });
    const savesRegs = entry.type === "regs" || entry.type === "regs-partial";
    if (savesRegs && !framed) {
      if (list.frames.length >= max) return stop(frameLimit);
      list.push("interrupted", state.sp, state.ip, reliable);
      framed = true;
    }

    let step: Awaited<ReturnType<typeof orcStep>>;
    try {
      step = await orcStep(ctx.read, entry, state, ptRegs);
    } catch (error) {
      return stop({
        kind: "unreadable",
        detail: `unwinding ip ${hex(state.ip)} (sp ${hex(state.sp)}): ${message(error)}`,
      });
    }
    if ("detail" in step) return stop(step);

    if (step.kind === "regs") {
      const owner = list.last;
      if (owner) owner.regs = step.regs;
      if (isUserMode(step.regs))
        return stop({
          kind: "user-mode",
          detail: `user-mode registers at ${hex(step.regs.address)} end the kernel stack`,
        });
    }
    const moved = guard.move(state.sp, step.state.sp);
    if (moved) return stop(moved);
    if (step.kind === "call") {
      const ip = step.state.ip;
      if (ip === 0n)
        return stop({ kind: "zero-ip", detail: `the return address at ${hex(step.slot)} is 0` });
      if (!isTextAddress(ctx, ip))
        return stop({
          kind: "not-text",
          detail: `the word ${hex(ip)} at ${hex(step.slot)} is not a kernel text address`,
        });
      if (list.frames.length >= max) return stop(frameLimit);
      list.push("return", step.slot, ip, reliable, step.state.signal);
    }
    framed = step.kind === "call";
    state = step.state;
  }
  return stop({ kind: "frame-limit", detail: `stopped after ${2 * max + 2} steps` });
}
