/**
 * Runs targets one after the other, each in a child process under a watchdog: no heartbeat
 * for HANG_MS (the event loop is blocked: a synchronous infinite loop), a call still running
 * HANG_MS after it started (an asynchronous one), a child whose resident memory passes
 * MEMORY_WATCH_BYTES, or a child that dies (V8 heap or string limits are fatal errors) is a
 * failure. The seed and fast-check run path regenerate the input, which is saved like any
 * other counterexample. The child's V8 heap is capped (CHILD_HEAP_MB) so a storm ends there.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type CampaignResult, replayInput, saveFailure } from "./campaign.js";
import { TIME_LIMIT_MS } from "./check.js";
import { childFilesDir } from "./files.js";
import { loadTarget } from "./targets/index.js";

/** a call this old is a hang (the property itself reports calls over TIME_LIMIT_MS) */
export const HANG_MS = 5 * TIME_LIMIT_MS;
/** resident memory of one child that counts as runaway */
export const MEMORY_WATCH_BYTES = 2 * 2 ** 30;
export const CHILD_HEAP_MB = 1536;
/** setting up a target (building the seed dumps) may take this long before inputs flow */
const STARTUP_MS = 120_000;

interface Beat {
  started: number;
  inCall: boolean;
  since: number;
}

/** the number of the input the child was running, from its run file */
function lastRun(runFile: string): number {
  try {
    const bytes = readFileSync(runFile);
    return bytes.length >= 8 ? (new Float64Array(bytes.buffer, bytes.byteOffset, 1)[0] ?? 0) : 0;
  } catch {
    return 0;
  }
}

function residentBytes(child: ChildProcess): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0; // not Linux, or the child just ended
  }
}

export async function runInChild(
  name: string,
  seed: number,
  timeLimitMs: number,
): Promise<CampaignResult> {
  const child = fork(new URL("./child.ts", import.meta.url), {
    execArgv: ["--import", "tsx", `--max-old-space-size=${CHILD_HEAP_MB}`, "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // a child stuck in a loop would outlive a runner stopped by Ctrl-C or a CI time-out
  const stopChild = () => child.kill("SIGKILL");
  process.on("exit", stopChild);
  const onSignal = () => process.exit(130);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const startedAt = Date.now();
  let last: Beat | undefined;
  let lastBeatAt = startedAt;
  let stopReason: string | undefined;
  let result: CampaignResult | undefined;
  child.on("message", (m: { beat?: Beat; result?: CampaignResult }) => {
    if (m.beat) {
      last = m.beat;
      lastBeatAt = Date.now();
    }
    if (m.result) result = m.result;
  });
  const runFile = join(mkdtempSync(join(tmpdir(), "crashlens-fuzz-run-")), "run");
  child.send({ name, seed, timeLimitMs, runFile });
  const watchdog = setInterval(() => {
    const now = Date.now();
    if (last === undefined && now - startedAt > STARTUP_MS) stopReason = "the target never started";
    else if (last !== undefined && now - lastBeatAt > HANG_MS)
      stopReason = `the event loop was blocked for more than ${HANG_MS} ms (hang)`;
    else if (last?.inCall && now - last.since > HANG_MS)
      stopReason = `an input ran for more than ${HANG_MS} ms (hang)`;
    else if (residentBytes(child) > MEMORY_WATCH_BYTES)
      stopReason = `resident memory passed ${MEMORY_WATCH_BYTES / 2 ** 30} GiB`;
    if (stopReason !== undefined) child.kill("SIGKILL");
  }, 100);
  const exit = await new Promise<string>((resolve) =>
    child.on("exit", (code, signal) => resolve(signal ?? `exit code ${code}`)),
  );
  clearInterval(watchdog);
  process.off("exit", stopChild);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  // a killed child cannot clean up the files its targets wrote (targets/analyze.ts)
  rmSync(childFilesDir(child.pid ?? 0), { recursive: true, force: true });
  if (result !== undefined) {
    rmSync(dirname(runFile), { recursive: true, force: true });
    return result;
  }
  // stopped or crashed: the input in progress is run number `started`, replayable by path
  const runs = Math.max(last?.started ?? 0, lastRun(runFile));
  rmSync(dirname(runFile), { recursive: true, force: true });
  const path = String(Math.max(0, runs - 1));
  const failure: CampaignResult = {
    target: name,
    seed,
    runs,
    failed: true,
    error: stopReason ?? `the child process died (${exit}) during an input`,
    path,
  };
  try {
    const target = await loadTarget(name);
    failure.savedTo = await saveFailure(target, seed, await replayInput(target, seed, path));
  } catch (error) {
    failure.error += ` (the input could not be regenerated: ${(error as Error).message})`;
  }
  return failure;
}
