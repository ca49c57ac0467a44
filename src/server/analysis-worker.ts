/**
 * @module server/analysis-worker
 * One thread of the analysis pool (`analysis-pool.ts`): parses and diagnoses the texts it is
 * sent, so a large log does not stall the server's event loop. Its own entry point in the
 * bundle (`dist/analysis-worker.js`, scripts/build.mjs).
 */
import { parentPort } from "node:worker_threads";
import { analyzeText } from "../analyze.js";
import { reportsJson } from "../cli/render/json.js";
import { diagnose } from "../diagnose/index.js";
import { isCrashlensError } from "../errors.js";
import type { PoolReply, PoolRequest } from "./analysis-pool.js";

/** What each request kind computes from the text. */
const jobs: Record<PoolRequest["kind"], (text: string) => Promise<unknown>> = {
  reports: (text) => diagnose(analyzeText(text)),
  json: async (text) => {
    const result = analyzeText(text);
    await diagnose(result);
    return reportsJson([{ input: "-", result }]);
  },
};

const port = parentPort;
if (!port) throw new Error("analysis-worker runs as a worker thread");
port.on("message", async (request: PoolRequest) => {
  let reply: PoolReply;
  try {
    reply = { id: request.id, value: await jobs[request.kind](request.text) };
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
