/**
 * @module server/analysis-pool
 * Text analysis on worker threads, one per CPU: crashlens' parser and diagnosis are
 * synchronous (about 0.7 ms for a small log, a second for a large one), and on the event loop
 * they would hold up every other request. A worker returns the diagnosed reports; the
 * submission's text stays on the main thread and is attached there. Dumps are analysed in
 * process (their reading is mostly I/O). The workers are shared by every app in the process
 * and end when the last app using them closes.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { DiagnosedReport } from "../diagnose/index.js";
import { CrashlensError, type ErrorCode } from "../errors.js";
import { type Submission, textReports } from "../store/ingest.js";
import type { IngestedReport } from "../store/types.js";
import { type Analyzer, inProcessAnalyzer } from "./analyzer.js";

export interface PoolRequest {
  id: number;
  kind: "reports" | "json";
  text: string;
}

export type PoolReply =
  | { id: number; value: unknown }
  | { id: number; error: { message: string; code?: ErrorCode; field?: string } };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * A new worker thread. In the bundle this code sits in a chunk of `dist/`, beside
 * `dist/analysis-worker.js`. Under tsx (tests, `node --import tsx`) the worker is the `.ts`
 * file beside this module, and Node 20 does not carry tsx's loader into workers: the worker
 * registers it first.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./analysis-worker.js", import.meta.url));
  const entry = new URL("./analysis-worker.ts", import.meta.url).href;
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  constructor(onExit: (worker: PoolWorker, error: Error) => void) {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on("message", (reply: PoolReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ("error" in reply) {
        const { message, code, field } = reply.error;
        waiting.reject(
          code ? new CrashlensError(code, message, field ? { field } : {}) : new Error(message),
        );
      } else waiting.resolve(reply.value);
    });
    const fail = (error: Error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      onExit(this, error);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`an analysis worker exited (code ${code})`)));
  }

  run(request: PoolRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners("exit");
    return this.worker.terminate();
  }
}

export class AnalysisPool {
  private workers: PoolWorker[] = [];
  private nextId = 1;

  constructor(readonly size: number) {}

  /** Runs on the least busy worker, starting workers as they are first needed. */
  run(kind: PoolRequest["kind"], text: string): Promise<unknown> {
    if (this.workers.length < this.size) {
      this.workers.push(
        new PoolWorker((dead) => {
          this.workers = this.workers.filter((w) => w !== dead);
        }),
      );
    }
    let best = this.workers[0] as PoolWorker;
    for (const worker of this.workers) if (worker.pending.size < best.pending.size) best = worker;
    return best.run({ id: this.nextId++, kind, text });
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

let shared: { pool: AnalysisPool; users: number } | undefined;

/** The process's pool (one worker per CPU), for one more user; `release` when done. */
export function acquirePool(): { analyzer: Analyzer; release(): Promise<void> } {
  if (!shared) shared = { pool: new AnalysisPool(Math.max(1, availableParallelism())), users: 0 };
  shared.users++;
  const { pool } = shared;
  let released = false;
  return {
    analyzer: poolAnalyzer(pool),
    async release() {
      if (released || !shared) return;
      released = true;
      if (--shared.users === 0) {
        shared = undefined;
        await pool.close();
      }
    },
  };
}

function poolAnalyzer(pool: AnalysisPool): Analyzer {
  return {
    async reportsOfText(submission: Submission): Promise<IngestedReport[]> {
      return textReports(
        submission,
        (await pool.run("reports", submission.text)) as DiagnosedReport[],
      );
    },
    async analyzeTextJson(text) {
      return (await pool.run("json", text)) as string;
    },
    reportsOfDump: inProcessAnalyzer.reportsOfDump,
    analyzeFileJson: inProcessAnalyzer.analyzeFileJson,
  };
}
