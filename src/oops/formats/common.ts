/**
 * @module oops/formats/common
 * Stack specs shared by many rows of the crash-format table.
 */
import { CALL_TRACE, RIP_FRAME, re } from "../patterns.js";
import { type StackSpec, TRACE } from "./types.js";

/** The faulting frame from the RIP/pc line, then the call trace. */
export function ripThenTrace(extra: Partial<StackSpec> = {}): StackSpec {
  return { parts: [RIP_FRAME, CALL_TRACE, TRACE], ...extra };
}

/** Only the call trace. */
export function traceOnly(extra: Partial<StackSpec> = {}): StackSpec {
  return { parts: [CALL_TRACE, TRACE], ...extra };
}

/** Only the RIP/pc line. */
export function ripOnly(): StackSpec {
  return { parts: [RIP_FRAME] };
}

/**
 * WARNINGs: newer kernels trap and print the RIP line first (powerpc64 prints
 * "--- interrupt:"), older ones just print the stack.
 */
export function warningStack(...skip: string[]): StackSpec {
  return {
    parts: [re(`(?:${RIP_FRAME.source}|--- interrupt: [0-9]+ at {{FUNC}})`), TRACE],
    fallback: [CALL_TRACE, TRACE],
    skip,
  };
}
