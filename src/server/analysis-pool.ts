/**
 * @module server/analysis-pool
 * Analysis on worker threads, one per CPU: crashlens' parser and diagnosis are synchronous
 * (about 0.7 ms for a small log, a second for a large one, more for a dump's log), and on the
 * event loop they would hold up every other request. Texts and dumps both go to the workers;
 * a text's reports come back diagnosed and the text is attached on the main thread. Workers
 * take jobs from one queue, a few ahead each; the queue is bounded (a full one answers 503
 * with Retry-After) and a job past its deadline has its worker ended and replaced. The
 * workers are shared by every app in the process and end when the last app using them closes.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { DiagnosedReport } from "../diagnose/index.js";
import { CrashlensError, type ErrorCode } from "../errors.js";
import { type DumpSubmission, type Submission, textReports } from "../store/ingest.js";
import type { IngestedReport } from "../store/types.js";
import type { Analyzer } from "./analyzer.js";
import { ApiError } from "./errors.js";

/** What a worker is asked to compute (see `jobs` in analysis-worker.ts). */
export type PoolJob =
  | { kind: "reports" | "json"; text: string }
  | { kind: "dump-reports"; submission: DumpSubmission }
  | { kind: "dump-json"; path: string; name: string };

export interface PoolRequest {
  id: number;
  job: PoolJob;
}

export type PoolReply =
  | { ready: true }
  | { id: number; value: unknown }
  | { id: number; error: { message: string; code?: ErrorCode; field?: string } };

export interface PoolLimits {
  /** jobs waiting for a worker beyond which new ones get a 503; default 1024 (a fleet
   * benchmark keeps 256 requests in flight) */
  maxQueued?: number;
  /** the text those jobs hold, at most; default 256 MiB (a dump waits on disk) */
  maxQueuedBytes?: number;
  /** a job running longer has its worker ended and replaced; default 30 s */
  jobTimeoutMs?: number;
  /** jobs sent to one worker ahead of its current one; default 4 */
  perWorker?: number;
}

const MAX_QUEUED = 1024;
const MAX_QUEUED_BYTES = 256 << 20;
const JOB_TIMEOUT_MS = 30_000;
const PER_WORKER = 4;
/** what a 503 asks the client to wait, in seconds */
const RETRY_AFTER_S = 5;

interface Queued {
  request: PoolRequest;
  bytes: number;
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

function errorOf(reply: { error: { message: string; code?: ErrorCode; field?: string } }): Error {
  const { message, code, field } = reply.error;
  return code ? new CrashlensError(code, message, field ? { field } : {}) : new Error(message);
}

/**
 * One thread and the jobs sent to it, oldest first. It runs them one after another; up to
 * `depth` are sent ahead so that it never waits for the main thread between two jobs (one
 * at a time cost a quarter of the ingest rate). The deadline runs for the oldest only: the
 * jobs run in turn, so it is the one running or the one holding the others up.
 */
class PoolWorker {
  readonly inFlight: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly worker: Worker;
  /** the thread has loaded its code: a job's deadline counts from then, not from its start */
  private ready = false;

  constructor(
    private readonly timeoutMs: number,
    /** called when a job is done, or when the worker is gone (`dead`, with the jobs it had
     * not started, for the pool to run elsewhere) */
    private readonly onFree: (worker: PoolWorker, dead: boolean, unstarted: Queued[]) => void,
  ) {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on("message", (reply: PoolReply) => {
      if ("ready" in reply) {
        this.ready = true;
        this.armDeadline();
        return;
      }
      // replies may overtake each other (a job awaiting the known-bug index lets the next
      // one run), so they are matched by id
      const index = this.inFlight.findIndex((job) => job.request.id === reply.id);
      const [done] = index < 0 ? [] : this.inFlight.splice(index, 1);
      if (!done) return;
      if (index === 0) this.armDeadline();
      if ("error" in reply) done.reject(errorOf(reply));
      else done.resolve(reply.value);
      this.onFree(this, false, []);
    });
    const died = (error: Error) => {
      const jobs = this.stop();
      for (const job of jobs) job.reject(error);
      this.onFree(this, true, []);
    };
    this.worker.on("error", died);
    this.worker.on("exit", (code) => died(new Error(`an analysis worker exited (code ${code})`)));
  }

  run(job: Queued): void {
    this.inFlight.push(job);
    if (this.inFlight.length === 1) this.armDeadline();
    this.worker.postMessage(job.request);
  }

  /** A deadline for the job now running (the oldest), once the thread is ready. */
  private armDeadline(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer =
      this.ready && this.inFlight.length > 0
        ? setTimeout(() => this.timedOut(), this.timeoutMs)
        : undefined;
  }

  /** Ends the thread; returns the jobs it had. */
  private stop(): Queued[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.worker.removeAllListeners();
    void this.worker.terminate();
    return this.inFlight.splice(0);
  }

  /** The running job took too long: its thread is ended (CPU-bound code cannot be
   * interrupted), the jobs queued behind it go back to the pool. */
  private timedOut(): void {
    const [running, ...unstarted] = this.stop();
    running?.reject(
      new ApiError(
        422,
        "analysis-timeout",
        `the analysis took longer than ${this.timeoutMs / 1000} s and was stopped`,
      ),
    );
    this.onFree(this, true, unstarted);
  }

  terminate(): Promise<number> {
    this.stop();
    return this.worker.terminate();
  }
}

export class AnalysisPool {
  private workers: PoolWorker[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private queuedBytes = 0;
  private readonly maxQueued: number;
  private readonly maxQueuedBytes: number;
  private readonly timeoutMs: number;
  private readonly perWorker: number;

  constructor(
    readonly size: number,
    limits: PoolLimits = {},
  ) {
    this.maxQueued = limits.maxQueued ?? MAX_QUEUED;
    this.maxQueuedBytes = limits.maxQueuedBytes ?? MAX_QUEUED_BYTES;
    this.timeoutMs = limits.jobTimeoutMs ?? JOB_TIMEOUT_MS;
    this.perWorker = Math.max(1, limits.perWorker ?? PER_WORKER);
  }

  /** Runs on a free worker (started as first needed), or waits in the queue; 503 when full. */
  run(job: PoolJob): Promise<unknown> {
    const bytes = "text" in job ? job.text.length : 0;
    const full =
      this.queue.length >= this.maxQueued ||
      (this.queue.length > 0 && this.queuedBytes + bytes > this.maxQueuedBytes);
    if (full)
      return Promise.reject(
        new ApiError(
          503,
          "busy",
          `the server is analysing ${this.queue.length} inputs already; retry in ${RETRY_AFTER_S} s`,
          { "retry-after": String(RETRY_AFTER_S) },
        ),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, job }, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // the least loaded worker with room; a new one while the pool is not full
      let free = this.workers
        .filter((w) => w.inFlight.length < this.perWorker)
        .sort((a, b) => a.inFlight.length - b.inFlight.length)[0];
      if ((!free || free.inFlight.length > 0) && this.workers.length < this.size) {
        free = new PoolWorker(this.timeoutMs, (worker, dead, unstarted) => {
          if (dead) this.workers = this.workers.filter((w) => w !== worker);
          for (const job of unstarted.reverse()) {
            this.queue.unshift(job);
            this.queuedBytes += job.bytes;
          }
          this.dispatch();
        });
        this.workers.push(free);
      }
      if (!free) return;
      const next = this.queue.shift() as Queued;
      this.queuedBytes -= next.bytes;
      free.run(next);
    }
  }

  /** jobs running and waiting, for the curious and the tests */
  load(): { running: number; queued: number } {
    const running = this.workers.reduce((n, w) => n + w.inFlight.length, 0);
    return { running, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.queuedBytes = 0;
    const workers = this.workers;
    this.workers = [];
    const closed = new Error("the analysis pool was closed");
    for (const queued of this.queue.splice(0)) queued.reject(closed);
    for (const worker of workers) for (const job of worker.inFlight) job.reject(closed);
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

/** The analyzer whose every analysis runs on `pool`. */
export function poolAnalyzer(pool: AnalysisPool): Analyzer {
  return {
    async reportsOfText(submission: Submission): Promise<IngestedReport[]> {
      const diagnosed = await pool.run({ kind: "reports", text: submission.text });
      return textReports(submission, diagnosed as DiagnosedReport[]);
    },
    async analyzeTextJson(text) {
      return (await pool.run({ kind: "json", text })) as string;
    },
    async reportsOfDump(submission) {
      return (await pool.run({ kind: "dump-reports", submission })) as IngestedReport[];
    },
    async analyzeFileJson(path, name) {
      return (await pool.run({ kind: "dump-json", path, name })) as string;
    },
  };
}
