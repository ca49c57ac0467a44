/**
 * The property every target shares. Bad input is normal input (DESIGN.md): a parser may
 * reject it only with a CrashlensError, must answer within TIME_LIMIT_MS, and must not keep
 * more than MEMORY_LIMIT_BYTES alive after one input. Hangs that block the event loop and
 * peak memory are caught outside, by the runner's watchdog (see runner.ts).
 */
import { isCrashlensError } from "../../src/errors.js";
import type { Target } from "./target.js";

/** slowest call allowed for one input */
export const TIME_LIMIT_MS = 2000;
/** growth of heap + array buffers one input may leave behind */
export const MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;

/** A broken property rather than a parser exception: too slow or too much memory. */
export class FuzzViolation extends Error {
  override name = "FuzzViolation";
}

/** Live progress shared with the runner thread: [inputs started, in a call (0/1), call start ms]. */
export interface Progress {
  started: number;
  inCall: boolean;
  since: number;
}

function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs one input through a target; resolves when the outcome is allowed, throws otherwise. */
export async function checkOne<T>(
  target: Target<T>,
  input: T,
  onStart?: () => void,
  onEnd?: () => void,
): Promise<void> {
  const before = usedBytes();
  const start = performance.now();
  onStart?.();
  try {
    await target.run(input);
  } catch (error) {
    if (!isCrashlensError(error)) throw error;
  } finally {
    onEnd?.();
  }
  const elapsed = performance.now() - start;
  if (elapsed > TIME_LIMIT_MS) {
    throw new FuzzViolation(`one input took ${Math.round(elapsed)} ms (limit ${TIME_LIMIT_MS})`);
  }
  let grown = usedBytes() - before;
  // garbage not yet collected is not kept: collect before judging (the runner's children run
  // with --expose-gc; without it, as in the smoke test, the first measure stands)
  const gc = (globalThis as { gc?: () => void }).gc;
  if (grown > MEMORY_LIMIT_BYTES && gc) {
    gc();
    grown = usedBytes() - before;
  }
  if (grown > MEMORY_LIMIT_BYTES) {
    throw new FuzzViolation(
      `one input left ${Math.round(grown / 2 ** 20)} MiB allocated (limit ${MEMORY_LIMIT_BYTES / 2 ** 20})`,
    );
  }
}
