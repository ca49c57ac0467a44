/**
 * @module server/analysis-worker
 * One thread of the analysis pool (`analysis-pool.ts`): parses and diagnoses the texts and
 * dumps it is sent, so a large log does not stall the server's event loop. Its own entry
 * point in the bundle (`dist/analysis-worker.js`, scripts/build.mjs).
 */
import { parentPort } from "node:worker_threads";
import { analyzeText } from "../analyze.js";
import { diagnose } from "../diagnose/index.js";
import { isCrashlensError } from "../errors.js";
import type { PoolJob, PoolReply, PoolRequest } from "./analysis-pool.js";
import { inProcessAnalyzer } from "./analyzer.js";

/** What each job kind computes: the in-process analysis, here off the server's event loop. */
const jobs: { [K in PoolJob["kind"]]: (job: Extract<PoolJob, { kind: K }>) => Promise<unknown> } = {
  reports: ({ text }) => diagnose(analyzeText(text)),
  json: ({ text }) => inProcessAnalyzer.analyzeTextJson(text),
  "dump-reports": ({ submission }) => inProcessAnalyzer.reportsOfDump(submission),
  "dump-json": ({ path, name }) => inProcessAnalyzer.analyzeFileJson(path, name),
};

function runJob(job: PoolJob): Promise<unknown> {
  return (jobs[job.kind] as (job: PoolJob) => Promise<unknown>)(job);
}

const port = parentPort;
if (!port) throw new Error("analysis-worker runs as a worker thread");
port.on("message", async (request: PoolRequest) => {
  let reply: PoolReply;
  try {
    reply = { id: request.id, value: await runJob(request.job) };
  } catch (error) {
    const e = error as Error;
    reply = {
      id: request.id,
      error: {
        message: e.message,
        ...(isCrashlensError(error) ? { code: error.code, field: error.details.field } : {}),
      },
    };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies PoolReply);
