/**
 * @module kernel/unwind/stacks
 * The rule that keeps every unwind finite: within one stack the stack pointer only grows, and
 * a move to another stack must land on a stack the caller knows and that was not left before.
 * Also a classifier built from a list of ranges (task, IRQ, exception stacks).
 */
import { hex } from "./format.js";
import type { StackOf, StackRange, StopReason } from "./types.js";

/** a classifier over fixed ranges (first match wins) */
export function stackClassifier(ranges: readonly StackRange[]): StackOf {
  return (sp) => ranges.find((r) => sp >= r.start && sp < r.end);
}

const keyOf = (r: StackRange | undefined) => (r === undefined ? "" : `${r.kind}@${r.start}`);

export class StackGuard {
  private current: StackRange | undefined;
  private readonly left = new Set<string>();

  constructor(
    private readonly stackOf: StackOf | undefined,
    sp: bigint,
  ) {
    this.current = stackOf?.(sp);
  }

  /** the stack the unwind is on now */
  get stack(): StackRange | undefined {
    return this.current;
  }

  classify(sp: bigint): StackRange | undefined {
    return this.stackOf?.(sp);
  }

  /** Checks a step from `from` to `to`; a reason to stop, or undefined (and the move is taken). */
  move(from: bigint, to: bigint): StopReason | undefined {
    const next = this.stackOf?.(to);
    if (keyOf(next) === keyOf(this.current)) {
      if (to > from) return undefined;
      return {
        kind: "sp-not-increasing",
        detail: `stack pointer went from ${hex(from)} to ${hex(to)} on the same stack`,
      };
    }
    if (next === undefined)
      return {
        kind: "sp-off-stack",
        detail: `stack pointer ${hex(to)} (from ${hex(from)}) is on no known stack`,
      };
    if (this.left.has(keyOf(next)))
      return {
        kind: "stack-revisited",
        detail: `stack pointer ${hex(to)} returns to the ${next.kind} stack already left`,
      };
    this.left.add(keyOf(this.current));
    this.current = next;
    return undefined;
  }
}
