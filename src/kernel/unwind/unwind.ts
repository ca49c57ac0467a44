/**
 * @module kernel/unwind/unwind
 * The one entry point, by `ctx.arch` (UNWINDERS): on x86-64 ORC when the context has tables,
 * else the rbp chain; on arm64 frame records. When a walk stops
 * for a reason other than a normal end, the rest of the current stack is scanned for return
 * addresses, which are appended as unreliable (`?`) frames. Never throws for bad memory or
 * bad tables: every end is a `StopReason`.
 */
import { walkFrameRecords } from "./arm64.js";
import { scanArm64Stack } from "./arm64-scan.js";
import { walkFramePointers } from "./frame-pointer.js";
import type { WalkOutcome } from "./frames.js";
import { walkOrc } from "./orc-unwinder.js";
import { scanStack } from "./scan.js";
import type {
  Frame,
  StopKind,
  UnwindArch,
  UnwindContext,
  UnwindMethod,
  UnwindResult,
  UnwindStart,
} from "./types.js";

/** one row per architecture: how its stacks are walked and scanned */
interface ArchUnwinder {
  readonly method: (ctx: UnwindContext) => UnwindMethod;
  readonly walk: (ctx: UnwindContext, start: UnwindStart) => Promise<WalkOutcome>;
  readonly scan: (ctx: UnwindContext, from: bigint, to: bigint, max: number) => Promise<Frame[]>;
}

export const UNWINDERS: Readonly<Record<UnwindArch, ArchUnwinder>> = {
  // ORC when the kernel has tables (CONFIG_UNWINDER_ORC), else the rbp chain
  x86_64: {
    method: (ctx) => (ctx.orc ? "orc" : "frame-pointer"),
    walk: (ctx, start) => (ctx.orc ? walkOrc(ctx, ctx.orc, start) : walkFramePointers(ctx, start)),
    scan: (ctx, from, to, max) => scanStack(ctx, from, to, { maxFrames: max }),
  },
  // arm64 kernels always keep frame records (CONFIG_FRAME_POINTER is selected by ARM64)
  arm64: {
    method: () => "frame-record",
    walk: walkFrameRecords,
    scan: scanArm64Stack,
  },
};

/** stops that end a stack as it should end: nothing is left to scan */
const NORMAL_ENDS: ReadonlySet<StopKind> = new Set(["end-of-stack", "user-mode", "frame-limit"]);

/** without a known stack, scan up to the end of the 16 KiB-aligned block (THREAD_SIZE) */
const DEFAULT_STACK_ALIGN = 0x4000n;

export interface UnwindOptions {
  /** scan the rest of the stack after an abnormal stop (default true) */
  readonly scanOnFailure?: boolean;
}

export async function unwind(
  ctx: UnwindContext,
  start: UnwindStart,
  options: UnwindOptions = {},
): Promise<UnwindResult> {
  const unwinder = UNWINDERS[ctx.arch ?? "x86_64"];
  const method = unwinder.method(ctx);
  let outcome: WalkOutcome;
  try {
    outcome = await unwinder.walk(ctx, start);
  } catch (error) {
    // a bug or a caller callback that threw: still an answer, not an exception
    return {
      frames: [],
      stop: {
        kind: "internal-error",
        detail: `the unwinder failed: ${error instanceof Error ? error.message : String(error)}`,
      },
      method,
    };
  }
  const frames: Frame[] = outcome.list.frames;
  const max = ctx.maxFrames ?? 256;
  if (
    options.scanOnFailure !== false &&
    !NORMAL_ENDS.has(outcome.stop.kind) &&
    outcome.sp !== undefined &&
    frames.length < max
  ) {
    const from = outcome.sp;
    const end = outcome.guard?.stack?.end ?? (from | (DEFAULT_STACK_ALIGN - 1n)) + 1n;
    // slots already shown are not shown again; a register frame's sp is a stack top, not a slot
    const lastFrame = frames[frames.length - 1];
    const last =
      lastFrame === undefined ? 0n : lastFrame.kind === "return" ? lastFrame.sp : lastFrame.sp - 1n;
    try {
      const scanned = await unwinder.scan(ctx, from, end, max - frames.length);
      for (const f of scanned) if (f.sp > last) frames.push({ ...f, index: frames.length });
    } catch {
      // a scan is a bonus; the stop reason already says why the unwind ended
    }
  }
  return { frames, stop: outcome.stop, method };
}
