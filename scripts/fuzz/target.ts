/**
 * The shape of one fuzz target: a name, an arbitrary of inputs, and the call under test.
 * The harness (check.ts) turns `run` into a property: only CrashlensError may escape, each
 * call must end quickly, and no call may leave a large amount of memory behind.
 */
import type fc from "fast-check";

export interface Target<T = unknown> {
  /** short name for --only, e.g. "text-prefixes" */
  readonly name: string;
  /** what is exercised, for the listing */
  readonly about: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** feeds one input to the parser(s); may throw CrashlensError, nothing else */
  run(input: T): Promise<void> | void;
  /** inputs scripts/fuzz.test.ts runs (default 300) */
  readonly smokeRuns?: number;
  /** the bytes or text the input stands for, saved next to a failure for reproduction */
  materialize?(input: T): Promise<Uint8Array | string> | Uint8Array | string;
}

/** Keeps `Target<T>` type-checked at the definition while the table holds mixed inputs. */
export function defineTarget<T>(target: Target<T>): Target<unknown> {
  return target as unknown as Target<unknown>;
}
