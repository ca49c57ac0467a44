/**
 * One target's campaign: fast-check generates inputs from a printed seed until the time or
 * run budget is spent; a failure is shrunk, and the shrunk input is saved to os.tmpdir() as
 * JSON (the arbitrary's value) and as the bytes or text it stands for. Live progress goes to a
 * shared array the runner's watchdog reads (see runner.ts).
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { checkOne } from "./check.js";
import type { Target } from "./target.js";

/** slots of the shared progress array */
export const STARTED = 0;
export const IN_CALL = 1;
export const CALL_SINCE = 2;
export const PROGRESS_SLOTS = 3;

export interface CampaignOptions {
  seed: number;
  /** stop after this long (the run in progress finishes) */
  timeLimitMs?: number;
  /** stop after this many inputs */
  numRuns?: number;
  /** written live: inputs started, whether one is in a call, and since when (epoch ms) */
  progress?: Float64Array;
  /** called synchronously as each input starts (the child records the run number on disk) */
  onInputStart?: (run: number) => void;
  /** where failures are saved (default os.tmpdir()) */
  saveDir?: string;
}

export interface CampaignResult {
  target: string;
  seed: number;
  runs: number;
  failed: boolean;
  error?: string;
  /** fast-check path of the shrunk counterexample: `--seed S --path P` replays it */
  path?: string;
  savedTo?: string[];
}

/** JSON that keeps bigints and byte arrays readable. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v === "bigint") return `${v}n`;
      if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString("base64") };
      return v;
    },
    2,
  );
}

export async function saveFailure(
  target: Target,
  seed: number,
  input: unknown,
  dir = tmpdir(),
): Promise<string[]> {
  const base = join(dir, `crashlens-fuzz-${target.name}-${seed}`);
  const saved = [`${base}.json`];
  writeFileSync(saved[0] as string, toJson(input));
  if (target.materialize !== undefined) {
    const body = await target.materialize(input);
    const file = `${base}.${typeof body === "string" ? "txt" : "bin"}`;
    writeFileSync(file, body);
    saved.push(file);
  }
  return saved;
}

function describeError(error: unknown): string {
  if (error instanceof Error)
    return (error.stack ?? `${error.name}: ${error.message}`).split("\n").slice(0, 8).join("\n");
  return String(error);
}

export async function runCampaign(
  target: Target,
  options: CampaignOptions,
): Promise<CampaignResult> {
  const progress = options.progress ?? new Float64Array(PROGRESS_SLOTS);
  let runs = 0;
  let yieldedAt = Date.now();
  const property = fc.asyncProperty(target.arbitrary, async (input) => {
    // in-memory readers resolve at once, so a campaign is one long chain of microtasks: let
    // timers (the child's heartbeat) run now and then
    if (Date.now() - yieldedAt > 50) {
      await new Promise(setImmediate);
      yieldedAt = Date.now();
    }
    runs++;
    progress[STARTED] = runs;
    options.onInputStart?.(runs);
    await checkOne(
      target,
      input,
      () => {
        progress[CALL_SINCE] = Date.now();
        progress[IN_CALL] = 1;
      },
      () => {
        progress[IN_CALL] = 0;
      },
    );
  });
  const parameters: fc.Parameters<[unknown]> = {
    seed: options.seed,
    numRuns: options.numRuns ?? 1e12,
  };
  if (options.timeLimitMs !== undefined) parameters.interruptAfterTimeLimit = options.timeLimitMs;
  const details = await fc.check(property, parameters);
  const result: CampaignResult = {
    target: target.name,
    seed: options.seed,
    runs,
    failed: details.failed,
  };
  if (details.failed) {
    result.error = describeError(details.errorInstance);
    if (details.counterexamplePath !== null) result.path = details.counterexamplePath;
    const input = details.counterexample?.[0];
    result.savedTo = await saveFailure(target, options.seed, input, options.saveDir);
  }
  return result;
}

/** The input of run `path` (as fast-check numbers runs) of a campaign with `seed`. */
export async function replayInput(target: Target, seed: number, path: string): Promise<unknown> {
  let found: unknown;
  await fc.check(
    fc.property(target.arbitrary, (input) => {
      found = input;
      return true;
    }),
    { seed, path, numRuns: 1 },
  );
  return found;
}
