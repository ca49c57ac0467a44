/**
 * @module scripts/fleet-load
 * Load and faults for the fleet service, shared by `npm run bench -- --only fleet` and the
 * conformance kill test: a `crashlens serve` child process on loopback, a fleet of hosts
 * submitting the committed real crash logs, and the checks that nothing acknowledged is lost
 * or stored twice when the server is killed with SIGKILL mid-ingest.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { realInputs } from "../src/store/inputs.case.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface Submission {
  host: string;
  text: string;
}

/** `count` distinct submissions: every real input that holds a crash, from hosts in turn. */
export function fleetSubmissions(count: number, hosts = 100): Submission[] {
  const texts = realInputs()
    .map((input) => input.text)
    .filter((text) => text.trim() !== "");
  const out: Submission[] = [];
  for (let i = 0; out.length < count; i++) {
    const text = texts[i % texts.length] as string;
    // each (host, text) pair once: the round number picks the host, so no pair repeats
    const round = Math.floor(i / texts.length);
    out.push({ host: `host-${String((i + round) % hosts).padStart(3, "0")}-r${round}`, text });
  }
  return out;
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** resolves with the exit code or signal */
  exited: Promise<string>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Starts the bundled CLI's `serve` (dist/cli.js: `npm run build` first) and waits for health. */
export async function startServe(store: string, extra: string[] = []): Promise<ServeProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(repo, "bin", "crashlens.js"),
      "serve",
      "--store",
      store,
      "--listen",
      `127.0.0.1:${port}`,
      "--rate-limit",
      "off",
      ...extra,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<string>((done) =>
    child.on("exit", (code, signal) => done(signal ?? String(code))),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`serve exited before it answered: ${stderr.trim()}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`serve did not answer /api/health within 20 s: ${stderr.trim()}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return { url, child, exited };
}

export interface Ack {
  index: number;
  ids: number[];
  duplicate: boolean;
}

export interface LoadResult {
  acks: Ack[];
  /** submissions that got no acknowledgement (connection refused, reset, 5xx) */
  failed: number[];
  seconds: number;
  /** per-request latency in milliseconds, of the acknowledged ones */
  latencies: number[];
}

/** Submits every submission with at most `concurrency` in flight; never throws per request. */
export async function submitAll(
  url: string,
  submissions: readonly Submission[],
  concurrency: number,
  onAck?: (ack: Ack) => void,
): Promise<LoadResult> {
  const acks: Ack[] = [];
  const failed: number[] = [];
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let index = next++; index < submissions.length; index = next++) {
      const submission = submissions[index] as Submission;
      const t0 = performance.now();
      try {
        const response = await fetch(
          `${url}/api/reports?host=${encodeURIComponent(submission.host)}`,
          {
            method: "POST",
            headers: { "content-type": "text/plain; charset=utf-8" },
            body: submission.text,
          },
        );
        if (!response.ok) {
          await response.body?.cancel();
          failed.push(index);
          continue;
        }
        const body = (await response.json()) as {
          reports: Array<{ id: number; duplicate: boolean }>;
        };
        const ack = {
          index,
          ids: body.reports.map((r) => r.id),
          duplicate: body.reports.length > 0 && body.reports.every((r) => r.duplicate),
        };
        latencies.push(performance.now() - t0);
        acks.push(ack);
        onAck?.(ack);
      } catch {
        failed.push(index);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { acks, failed, seconds: (performance.now() - started) / 1000, latencies };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface KillResult {
  acknowledgedBeforeKill: number;
  lost: number;
  duplicated: number;
  storedAfter: number;
  expected: number;
}

/**
 * Submits, kills the server with SIGKILL once `killAfter` submissions are acknowledged,
 * restarts it on the same store, submits everything again, then checks: each report
 * acknowledged before the kill is still there under its id, and no submission is stored twice.
 */
export async function killMidIngest(
  store: string,
  submissions: readonly Submission[],
  killAfter: number,
  concurrency: number,
): Promise<KillResult> {
  const first = await startServe(store);
  let acknowledged = 0;
  const before = await submitAll(first.url, submissions, concurrency, () => {
    if (++acknowledged === killAfter) first.child.kill("SIGKILL");
  });
  await first.exited;
  const second = await startServe(store);
  try {
    const again = await submitAll(second.url, submissions, concurrency);
    const acked = new Map(again.acks.map((a) => [a.index, a]));
    let lost = 0;
    for (const ack of before.acks) {
      if (ack.ids.length === 0) continue; // no crash in that input: nothing was stored
      const now = acked.get(ack.index);
      // the same ids, now marked duplicate: the report written before the kill is the one kept
      if (!now?.duplicate || now.ids.join() !== ack.ids.join()) lost++;
    }
    const total = (await (await fetch(`${second.url}/api/reports?limit=1`)).json()) as {
      total: number;
    };
    const expected = new Set(again.acks.flatMap((a) => a.ids)).size;
    return {
      acknowledgedBeforeKill: before.acks.length,
      lost,
      duplicated: total.total - expected,
      storedAfter: total.total,
      expected,
    };
  } finally {
    second.child.kill("SIGTERM");
    await second.exited;
  }
}
