/**
 * Runs one target's campaign in a child process, so the runner can stop it when a call hangs
 * or memory runs away, and so a fatal V8 error (heap or string limits) ends only this process.
 * Reports progress to the runner every HEARTBEAT_MS; a blocked event loop stops the beats.
 */
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
  const result = await runCampaign(target, {
    seed: job.seed,
    timeLimitMs: job.timeLimitMs,
    progress,
  });
  clearInterval(timer);
  send({ result });
  process.disconnect?.();
});
