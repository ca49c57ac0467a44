/**
 * @module kernel/unwind/guesses
 * The kernel's own trace shape (`show_trace_log_lvl()` in arch/x86/kernel/dumpstack.c): walk
 * every word of each stack the unwind went through, print the unwinder's frames as they are
 * and every other text address as a `?` guess. With this, a trace rebuilt from a dump can be
 * compared line for line with the one the kernel logged, `?` lines included.
 */
import { PT_REGS_SIZE } from "./pt-regs.js";
import { scanStack } from "./scan.js";
import type { Frame, UnwindContext } from "./types.js";

export interface GuessOptions {
  /**
   * keep only words right after a call instruction (default false: the kernel prints every
   * text address, `__kernel_text_address()`)
   */
  readonly requireCall?: boolean;
  /** bound on the guesses added (default 1024) */
  readonly maxGuesses?: number;
}

/** [start, end) of the saved registers, which the kernel prints as registers, not as guesses */
function registerBlocks(frames: readonly Frame[]): [bigint, bigint][] {
  return frames.flatMap((f) => {
    if (!f.regs) return [];
    const start = f.regs.full ? f.regs.address : f.regs.address + 128n;
    return [[start, f.regs.address + BigInt(PT_REGS_SIZE)] as [bigint, bigint]];
  });
}

/**
 * `frames` (an unwind's result) with `?` frames inserted, in stack order, for every other text
 * address on the stacks they cover: each stack from the first frame on it to its end.
 */
export async function withGuesses(
  ctx: UnwindContext,
  frames: readonly Frame[],
  options: GuessOptions = {},
): Promise<Frame[]> {
  const out: Frame[] = [];
  const slots = new Set(frames.filter((f) => f.kind !== "registers").map((f) => f.sp));
  const blocks = registerBlocks(frames);
  let budget = options.maxGuesses ?? 1024;
  let i = 0;
  while (i < frames.length) {
    // one run of frames on the same stack
    const first = frames[i] as Frame;
    const stack = ctx.stackOf?.(first.sp);
    const key = (sp: bigint) => {
      const s = ctx.stackOf?.(sp);
      return s === undefined ? undefined : `${s.kind}@${s.start}`;
    };
    const runKey = key(first.sp);
    let j = i + 1;
    while (j < frames.length && runKey !== undefined && key((frames[j] as Frame).sp) === runKey)
      j++;
    const run = frames.slice(i, j);
    const last = run[run.length - 1] as Frame;
    const end = stack?.end ?? last.sp + 8n;
    const scanned =
      budget <= 0
        ? []
        : (
            await scanStack(ctx, first.sp, end, {
              requireCall: options.requireCall === true,
              maxFrames: budget,
            })
          ).filter((s) => !slots.has(s.sp) && !blocks.some(([a, b]) => s.sp >= a && s.sp < b));
    budget -= scanned.length;
    let k = 0;
    for (const f of run) {
      while (k < scanned.length && (scanned[k] as Frame).sp < f.sp) out.push(scanned[k++] as Frame);
      out.push(f);
    }
    while (k < scanned.length) out.push(scanned[k++] as Frame);
    i = j;
  }
  return out.map((f, index) => (f.index === index ? f : { ...f, index }));
}
