/**
 * Runs one target's campaign in a child process, so the runner can stop it when a call hangs
 * or memory runs away, and so a fatal V8 error (heap or string limits) ends only this process.
 * Reports progress to the runner every HEARTBEAT_MS; a blocked event loop stops the beats.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { CALL_SINCE, IN_CALL, PROGRESS_SLOTS, runCampaign, STARTED } from "./campaign.js";
import { loadTarget } from "./targets/index.js";

export const HEARTBEAT_MS = 200;

interface Job {
  name: string;
  seed: number;
  timeLimitMs: number;
  /** file the number of the input in progress is written to, read back after a hang */
  runFile: string;
}

const send = (message: unknown) => process.send?.(message);

process.once("message", async (job: Job) => {
  const target = await loadTarget(job.name);
  const progress = new Float64Array(PROGRESS_SLOTS);
  const beat = () =>
    send({
      beat: {
        started: progress[STARTED],
        inCall: progress[IN_CALL] === 1,
        since: progress[CALL_SINCE],
      },
    });
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  // written before each input runs, so that after a hang (no more beats) or a crash the
  // runner regenerates exactly the input in progress, not one from the last beat
  const runFd = openSync(job.runFile, "w");
  const run = new Float64Array(1);
  const result = await runCampaign(target, {
    seed: job.seed,
    timeLimitMs: job.timeLimitMs,
    progress,
    onInputStart: (n) => {
      run[0] = n;
      writeSync(runFd, run, 0, 8, 0);
    },
  });
  closeSync(runFd);
  clearInterval(timer);
  send({ result });
  process.disconnect?.();
});
