/**
 * @module kernel/unwind/arm64
 * arm64 unwinding by frame records, as the kernel's arch/arm64/kernel/stacktrace.c does:
 * every function with a frame saves {x29, x30} and points x29 at them, so x29 → {caller's
 * x29, return address}. Saved return addresses carry pointer-authentication bits, stripped
 * with KERNELPACMASK. Exception entry points x29 at the `stackframe` record inside the
 * `struct pt_regs` it saved: that record ({x29, pc} of the interrupted context, or {0, 0} at
 * the top of a task's stack) links the chain through exceptions; the registers are attached
 * to the entry's frame as crash prints them. IRQ handlers run on a per-CPU IRQ stack whose
 * first record points back to the task stack (call_on_irq_stack). Frames are the x86 `Frame`
 * shape: `sp` is the frame's own record (crash's slot), `callSite` the `bl` before ip.
 */
import { isExceptionEntry } from "./arm64-entry.js";
import {
  ARM64_DEFAULT_THREAD_SIZE,
  ARM64_PT_REGS_DEFAULT,
  isUserPstate,
  isUserRegs,
  readArm64PtRegs,
  stripPac,
} from "./arm64-regs.js";
import { hex } from "./format.js";
import { FrameList, isTextAddress, type WalkOutcome } from "./frames.js";
import { StackGuard } from "./stacks.js";
import type {
  Arm64UnwindLayout,
  Frame,
  FrameKind,
  FrameRegisters,
  StopReason,
  UnwindContext,
  UnwindStart,
} from "./types.js";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** `frame_record_meta.type` values (arch/arm64/include/asm/stacktrace/frame.h, v6.13+) */
const FRAME_META_TYPE_FINAL = 1n;
const FRAME_META_TYPE_PT_REGS = 2n;

interface Begin {
  pc: bigint;
  sp: bigint;
  fp: bigint;
  kind: FrameKind;
  regs?: FrameRegisters;
}

function begin(start: UnwindStart, layout: Arm64UnwindLayout): Begin | StopReason {
  if (start.kind === "cpu-context") {
    if (start.pc === 0n)
      return { kind: "bad-start", detail: "the task's cpu_context.pc is 0 (never scheduled?)" };
    // cpu_switch_to saved lr: the return address into __switch_to
    return { pc: stripPac(start.pc, layout.pacMask), sp: start.sp, fp: start.fp, kind: "return" };
  }
  if (start.kind !== "registers")
    return {
      kind: "bad-start",
      detail: `an x86-64 ${start.kind} start given to the arm64 unwinder`,
    };
  const r = start.registers;
  const pc = r.pc;
  const sp = r.sp;
  const fp = r.x29 ?? r.fp;
  if (pc === undefined || sp === undefined || fp === undefined)
    return { kind: "bad-start", detail: "the saved registers have no pc, sp or x29" };
  if (r.pstate !== undefined && isUserPstate(r.pstate))
    return {
      kind: "user-mode",
      detail: `the CPU was in user mode (pstate ${r.pstate.toString(16)}, pc ${hex(pc)})`,
    };
  return { pc, sp, fp, kind: "registers" };
}

/** Walks frame records from a CPU's registers or a switched-out task's cpu_context. */
export async function walkFrameRecords(
  ctx: UnwindContext,
  start: UnwindStart,
): Promise<WalkOutcome> {
  const layout: Arm64UnwindLayout = ctx.arm64 ?? { pacMask: 0n, ptRegs: ARM64_PT_REGS_DEFAULT };
  const ptRegs = layout.ptRegs;
  const first = begin(start, layout);
  if (!("pc" in first))
    return { list: new FrameList(ctx), stop: first, sp: undefined, guard: undefined };
  const guard = new StackGuard(ctx.stackOf, first.sp);
  const list = new FrameList(ctx, guard);
  let fp = first.fp;
  // the lowest address the next record may have: the start's sp, then past each record read
  let floor = first.sp;
  // whether `fp` already passed the guard (checked as the slot of the frame just pushed)
  let checked = false;
  const stop = (s: StopReason): WalkOutcome => ({ list, stop: s, sp: floor, guard });
  const max = ctx.maxFrames ?? 256;
  const frameLimit: StopReason = { kind: "frame-limit", detail: `stopped after ${max} frames` };
  const push = (kind: FrameKind, slot: bigint, ip: bigint, exact?: boolean): Frame => {
    const frame = list.push(kind, slot, ip, true, exact);
    if (kind === "return") (frame as { callSite?: bigint }).callSite = ip - 4n;
    return frame;
  };
  push(first.kind, fp, first.pc);
  const threadSize = layout.threadSize ?? ARM64_DEFAULT_THREAD_SIZE;

  for (let pass = 0; pass < 2 * max + 2; pass++) {
    if (fp === 0n) return stop({ kind: "end-of-stack", detail: "x29 is 0: the outermost frame" });
    if ((fp & 7n) !== 0n)
      return stop({
        kind: "bad-frame-record",
        detail: `x29 ${hex(fp)} is not 8-byte aligned: not a frame record`,
      });
    // a record below the floor would walk down the stack; the guard allows one move to
    // another known stack (IRQ → task), never back
    if (!checked) {
      const moved = fp >= floor ? guard.move(floor - 1n, fp) : guard.move(floor, fp);
      if (moved) return stop(moved);
    }
    checked = false;
    let next: bigint;
    let rawLr: bigint;
    try {
      const words = await ctx.read(fp, 16);
      const view = new DataView(words.buffer, words.byteOffset, 16);
      next = view.getBigUint64(0, true);
      rawLr = view.getBigUint64(8, true);
      // v6.13+: a {0, 0} record in a pt_regs is a frame_record_meta whose type follows
      const metaType =
        ptRegs.metaRecord === true && next === 0n && rawLr === 0n
          ? await ctx.read(fp + 16n, 8).then(
              (b) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true),
              () => undefined,
            )
          : undefined;
      if (metaType === FRAME_META_TYPE_FINAL)
        return stop({ kind: "end-of-stack", detail: `final frame record at ${hex(fp)}` });
      const current = list.last;
      const entry = metaType === FRAME_META_TYPE_PT_REGS || isExceptionEntry(current?.symbol?.name);
      if (entry && current !== undefined) {
        const regs = await exceptionRegs(ctx, fp, next, rawLr, ptRegs);
        if (regs !== undefined) {
          current.regs = regs;
          if (isUserRegs(regs))
            return stop({
              kind: "user-mode",
              detail: `user-mode registers at ${hex(regs.address)}`,
            });
          const pc = regs.values.pc ?? 0n;
          const x29 = regs.values.x29 ?? 0n;
          if (list.frames.length >= max) return stop(frameLimit);
          floor = fp + 16n;
          if (pc === 0n)
            return stop({
              kind: "zero-ip",
              detail: `the pt_regs at ${hex(regs.address)} has pc 0`,
            });
          push("interrupted", x29, pc, true);
          fp = x29;
          continue;
        }
      }
    } catch (error) {
      return stop({
        kind: "unreadable",
        detail: `reading the frame record at ${hex(fp)}: ${message(error)}`,
      });
    }
    floor = fp + 16n;
    if (next === 0n) {
      // the final record: {0, 0} in the pt_regs at the top of the task's stack
      const top = guard.stack?.end ?? (fp | (threadSize - 1n)) + 1n;
      const base = fp - BigInt(ptRegs.stackframe);
      if (base + BigInt(ptRegs.size) === top) {
        const regs = await readArm64PtRegs(ctx.read, base, ptRegs).catch(() => undefined);
        const owner = list.last;
        if (regs !== undefined && isUserRegs(regs) && owner !== undefined) {
          owner.regs = regs;
          return stop({ kind: "user-mode", detail: `user-mode registers at ${hex(regs.address)}` });
        }
      }
      if (rawLr === 0n)
        return stop({ kind: "end-of-stack", detail: `final frame record at ${hex(fp)}` });
    }
    const ip = stripPac(rawLr, layout.pacMask);
    if (ip === 0n)
      return stop({ kind: "zero-ip", detail: `the return address at ${hex(fp + 8n)} is 0` });
    if (!isTextAddress(ctx, ip))
      return stop({
        kind: "not-text",
        detail: `the word ${hex(rawLr)} at ${hex(fp + 8n)} is not a kernel text address`,
      });
    if (list.frames.length >= max) return stop(frameLimit);
    // the caller's record is this frame's slot: check it before the frame is shown, so a
    // record that walks down the stack ends the unwind instead of printing a bogus slot
    if (next !== 0n) {
      const moved = next >= floor ? guard.move(floor - 1n, next) : guard.move(floor, next);
      if (moved) return stop(moved);
      checked = true;
    }
    push("return", next, ip);
    fp = next;
  }
  return stop({ kind: "frame-limit", detail: `stopped after ${2 * max + 2} steps` });
}

/**
 * The pt_regs whose `stackframe` is the record at `fp`, when it is one: the record must be
 * what entry code stored there ({x29, pc} of a kernel-mode context, {0, 0} from user mode or
 * a meta record), so a frame that merely looks like an entry is not misread.
 */
async function exceptionRegs(
  ctx: UnwindContext,
  fp: bigint,
  next: bigint,
  rawLr: bigint,
  layout: Arm64UnwindLayout["ptRegs"],
): Promise<FrameRegisters | undefined> {
  const address = fp - BigInt(layout.stackframe);
  const regs = await readArm64PtRegs(ctx.read, address, layout).catch(() => undefined);
  if (regs === undefined) return undefined;
  const { pc, x29 } = regs.values;
  if (next === 0n && rawLr === 0n) return regs;
  return next === x29 && rawLr === pc ? regs : undefined;
}
