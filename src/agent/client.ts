/**
 * @module agent/client
 * The agent's side of `POST /api/reports`. Text is sent as `text/plain`, dumps as
 * `application/octet-stream` streamed from the file (never read into memory: http-post.ts).
 * Connection failures, 5xx and 429 are retried a bounded number of times with exponential
 * backoff; ingest is idempotent on the server, so a retry of a request whose
 * answer was lost stores nothing twice. Every other refusal becomes one clear `SubmitError`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { escapeControls } from "../cli/render/safe.js";
import { CrashlensError, type ErrorCode } from "../errors.js";
import type { Connection } from "./connection.js";
import { httpPost, type PostAnswer, type PostBody } from "./http-post.js";
import type { FileAccess } from "./payload.js";

/** What the submitter says about a report: the contract's `host`, `label` and `name`. */
export interface SubmitMeta {
  host: string;
  labels?: Record<string, string>;
  /** the dump's file name, for the server's record */
  name?: string;
}

/** One report as `POST /api/reports` acknowledges it. */
export interface SubmittedReport {
  id: number;
  cluster: number;
  duplicate: boolean;
  title: string;
  kind: string;
}

export interface SubmitResult {
  found: number;
  reports: SubmittedReport[];
  message?: string;
}

export interface RetryPolicy {
  /** tries in all, the first included */
  attempts: number;
  /** the wait before the second try; doubled before each further one */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000 };

export interface ClientOptions extends Connection {
  retry?: RetryPolicy;
  /** aborts the request in flight and the waits between tries */
  signal?: AbortSignal;
}

/** A submission the server refused or could not be reached for; `status` when it answered. */
export class SubmitError extends CrashlensError {
  readonly status: number | undefined;
  /** no later file can succeed either (the token is refused, the server is unreachable) */
  readonly fatal: boolean;
  constructor(code: ErrorCode, message: string, status?: number, fatal = false) {
    super(code, message);
    this.status = status;
    this.fatal = fatal;
  }
}

interface Refusal {
  code: ErrorCode;
  fatal: boolean;
  explain(server: string, said: string, hasToken: boolean): string;
}

/** what each refusal means to the person running the agent */
const refusals: Record<number, Refusal> = {
  400: {
    code: "usage",
    fatal: false,
    explain: (_s, said) => `the server refused the request: ${said}`,
  },
  401: {
    code: "usage",
    fatal: true,
    explain: (server, _said, hasToken) =>
      hasToken
        ? `${server} does not know this token (401): check --token or CRASHLENS_TOKEN`
        : `${server} needs a token (401): pass --token or set CRASHLENS_TOKEN (\`crashlens token create --role ingest\` on the server makes one)`,
  },
  403: {
    code: "usage",
    fatal: true,
    explain: (server) =>
      `the token may not submit reports to ${server} (403): use a token with the ingest or admin role`,
  },
  404: {
    code: "not-found",
    fatal: true,
    explain: (server) => `${server} has no crashlens API (404): check --server`,
  },
  413: {
    code: "limit",
    fatal: false,
    explain: (_s, said) => `too large for the server (413): ${said}`,
  },
  415: {
    code: "unsupported",
    fatal: false,
    explain: (_s, said) => `the server does not take this kind of body (415): ${said}`,
  },
};

const RETRIED_STATUS = (status: number) => status === 429 || status >= 500;

/** socket errors worth another try: the server restarting, the network or DNS not up yet */
const PASSING_NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export class CrashlensClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly retry: RetryPolicy;
  private readonly signal: AbortSignal | undefined;

  constructor(options: ClientOptions) {
    this.server = options.server;
    this.token = options.token;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.signal = options.signal;
  }

  /** Submits a text input (a console log, vmcore-dmesg, a pasted ticket). */
  submitText(text: string, meta: SubmitMeta): Promise<SubmitResult> {
    return this.post(meta, "text/plain; charset=utf-8", { text });
  }

  /** Submits a text file, streamed. */
  submitTextFile(path: string, meta: SubmitMeta, access: FileAccess = {}): Promise<SubmitResult> {
    return this.post(meta, "text/plain; charset=utf-8", { file: path, ...access });
  }

  /** Submits a dump file (kdump, ELF or flattened), streamed as the request body. */
  submitDump(path: string, meta: SubmitMeta, access: FileAccess = {}): Promise<SubmitResult> {
    return this.post(meta, "application/octet-stream", { file: path, ...access });
  }

  private async post(meta: SubmitMeta, contentType: string, body: PostBody): Promise<SubmitResult> {
    const url = new URL(`${this.server}/api/reports`);
    url.searchParams.set("host", meta.host);
    for (const [key, value] of Object.entries(meta.labels ?? {}))
      url.searchParams.append("label", `${key}=${value}`);
    if (meta.name !== undefined) url.searchParams.set("name", meta.name);
    const headers: Record<string, string> = { "content-type": contentType };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let lastProblem = "";
    let unreachable = false;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      let answer: PostAnswer;
      try {
        answer = await httpPost(url, headers, body, this.signal);
      } catch (error) {
        if (this.signal?.aborted) throw interrupted();
        const problem = error as NodeJS.ErrnoException;
        // the body's file, not the network (it went away while being sent)
        if (problem.path !== undefined)
          throw new SubmitError(
            "os",
            `cannot read ${problem.path} (${problem.code ?? problem.message})`,
          );
        lastProblem = `cannot reach ${this.server} (${problem.code ?? problem.message})`;
        // a refused or dropped connection may pass; a bad certificate or URL will not
        if (!PASSING_NETWORK_ERRORS.has(problem.code ?? ""))
          throw new SubmitError("usage", lastProblem, undefined, true);
        unreachable = true;
        await this.wait(attempt, undefined);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300) return parseResult(answer.body, this.server);
      const said = errorMessage(answer);
      if (!RETRIED_STATUS(answer.status)) throw this.refusal(answer.status, said);
      lastProblem = `${this.server} answered ${answer.status}: ${said}`;
      unreachable = false;
      const retryAfter = answer.headers["retry-after"];
      await this.wait(attempt, typeof retryAfter === "string" ? retryAfter : undefined);
    }
    // a server that cannot be reached will not be for the next file either
    const tries = `${this.retry.attempts} ${this.retry.attempts === 1 ? "try" : "tries"}`;
    throw new SubmitError("os", `${lastProblem}, ${tries}`, undefined, unreachable);
  }

  private refusal(status: number, said: string): SubmitError {
    const known = refusals[status];
    if (known === undefined)
      return new SubmitError("os", `${this.server} answered ${status}: ${said}`, status);
    const message = known.explain(this.server, said, this.token !== undefined);
    return new SubmitError(known.code, message, status, known.fatal);
  }

  /** Waits before the next try (none after the last): the backoff, or what Retry-After asks. */
  private async wait(attempt: number, retryAfter: string | null | undefined): Promise<void> {
    if (attempt >= this.retry.attempts) return;
    const asked = retryAfter == null ? Number.NaN : Number(retryAfter) * 1000;
    const backoff = this.retry.baseDelayMs * 2 ** (attempt - 1);
    const delay = Math.min(Number.isFinite(asked) ? asked : backoff, this.retry.maxDelayMs);
    try {
      await sleep(delay, undefined, this.signal ? { signal: this.signal } : {});
    } catch {
      throw interrupted();
    }
  }
}

function interrupted(): SubmitError {
  return new SubmitError("os", "interrupted");
}

/** The contract's `{ error: { message } }`, or the start of whatever else came back. */
function errorMessage(answer: PostAnswer): string {
  const text = answer.body;
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === "string") return escapeControls(message);
  } catch {
    // not JSON: a proxy's page
  }
  return escapeControls(text.slice(0, 200).trim() || `status ${answer.status}`);
}

function parseResult(text: string, server: string): SubmitResult {
  let result: Partial<SubmitResult> | null = null;
  try {
    result = JSON.parse(text) as Partial<SubmitResult> | null;
  } catch {
    // not JSON: refused below
  }
  if (
    result === null ||
    typeof result !== "object" ||
    typeof result.found !== "number" ||
    !Array.isArray(result.reports) ||
    !result.reports.every(isSubmittedReport)
  )
    throw new SubmitError("bad-data", `${server} answered 200 without a report list`);
  const out: SubmitResult = { found: result.found, reports: result.reports };
  if (typeof result.message === "string") out.message = result.message;
  return out;
}

function isSubmittedReport(value: unknown): value is SubmittedReport {
  const r = value as Partial<SubmittedReport> | null;
  return (
    r !== null &&
    typeof r === "object" &&
    typeof r.id === "number" &&
    typeof r.cluster === "number" &&
    typeof r.duplicate === "boolean" &&
    typeof r.title === "string" &&
    typeof r.kind === "string"
  );
}
