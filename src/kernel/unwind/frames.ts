/**
 * @module kernel/unwind/frames
 * Builds `Frame`s the same way for every unwinder: index, symbol (return addresses are looked
 * up at ip − 1, like the kernel's %pB, so a call to a noreturn function at the very end of a
 * function is not blamed on the next one), module, stack kind.
 */
import type { StackGuard } from "./stacks.js";
import type { Frame, FrameKind, StopReason, SymbolInfo, UnwindContext } from "./types.js";

/**
 * Module space on x86-64 (MODULES_VADDR .. MODULES_END, Documentation/arch/x86/x86_64/mm.rst):
 * text there may belong to a module the caller did not register.
 */
const MODULES_START = 0xffffffffa0000000n;
const MODULES_END = 0xffffffffff000000n;

/**
 * The default text test: the ORC tables' text ranges when there are tables (kallsyms names
 * data too), else any symbol; plus module space when the caller registered no module.
 */
export function isTextAddress(ctx: UnwindContext, address: bigint): boolean {
  if (ctx.isText) return ctx.isText(address);
  if (ctx.orc?.textOwner(address) !== undefined) return true;
  // module space counts only while no module was registered (it also holds module data)
  if (address >= MODULES_START && address < MODULES_END) return ctx.orc?.hasModules !== true;
  return ctx.orc === undefined && ctx.symbolize?.(address) !== undefined;
}

/** `exact`: ip is not a return address (registers, interrupted, or a signal frame) */
export function symbolFor(
  ctx: UnwindContext,
  ip: bigint,
  kind: FrameKind,
  exact = kind === "registers" || kind === "interrupted",
): SymbolInfo | undefined {
  const isReturn = !exact;
  const found = ctx.symbolize?.(isReturn ? ip - 1n : ip);
  return found && isReturn ? { ...found, offset: found.offset + 1 } : found;
}

/** what a walker (ORC or frame pointers) returns to `unwind()` */
export interface WalkOutcome {
  readonly list: FrameList;
  readonly stop: StopReason;
  /** the last stack pointer reached: where a scan fallback starts */
  readonly sp: bigint | undefined;
  readonly guard: StackGuard | undefined;
}

export class FrameList {
  readonly frames: Frame[] = [];

  constructor(
    private readonly ctx: UnwindContext,
    private readonly guard?: StackGuard,
  ) {}

  get last(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  push(kind: FrameKind, sp: bigint, ip: bigint, reliable: boolean, exact?: boolean): Frame {
    const symbol = symbolFor(this.ctx, ip, kind, exact);
    const owner = this.ctx.orc?.textOwner(ip);
    const module =
      symbol?.module ?? (owner !== undefined && owner !== "vmlinux" ? owner : undefined);
    const stack = (this.guard?.classify(sp) ?? this.ctx.stackOf?.(sp))?.kind;
    const frame: Frame = {
      index: this.frames.length,
      kind,
      sp,
      ip,
      reliable,
      ...(symbol === undefined ? {} : { symbol }),
      ...(module === undefined ? {} : { module }),
      ...(stack === undefined ? {} : { stack }),
    };
    this.frames.push(frame);
    return frame;
  }
}
