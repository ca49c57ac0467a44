/**
 * @module scripts/bench-fleet
 * `npm run bench -- --only fleet`: the fleet service under load, on loopback. A `crashlens
 * serve` process takes 10,000 submissions of the committed real crash logs from 100 hosts,
 * 256 at a time, first on SQLite then on PostgreSQL (a private cluster started for the run);
 * then the server is killed with SIGKILL mid-ingest and restarted: acknowledged reports lost
 * and reports stored twice are counted (both must be 0).
 * Options: --fleet-count N (default 10000), --concurrency N (default 256).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../src/store/pg-server.case.js";
import {
  fleetSubmissions,
  killMidIngest,
  type LoadResult,
  percentile,
  startServe,
  submitAll,
} from "./fleet-load.js";

const TARGET_PER_SECOND = 500;

function row(name: string, count: number, result: LoadResult): string {
  const perSecond = result.acks.length / result.seconds;
  return [
    name.padEnd(22),
    `${count}`.padStart(6),
    `${result.acks.length}`.padStart(6),
    `${result.failed.length}`.padStart(6),
    `${result.seconds.toFixed(1)} s`.padStart(8),
    `${perSecond.toFixed(0)}/s`.padStart(8),
    `${percentile(result.latencies, 50).toFixed(0)} ms`.padStart(8),
    `${percentile(result.latencies, 99).toFixed(0)} ms`.padStart(8),
  ].join("  ");
}

async function load(store: string, count: number, concurrency: number): Promise<LoadResult> {
  const server = await startServe(store);
  try {
    return await submitAll(server.url, fleetSubmissions(count), concurrency);
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
}

export async function benchFleet(count: number, concurrency: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "crashlens-bench-fleet-"));
  const postgres = await startPostgres();
  try {
    console.log(
      `\nfleet: ${count} submissions of real crash logs from 100 hosts, ${concurrency} in flight, one serve process on loopback`,
    );
    console.log(
      `${"store".padEnd(22)}  ${"sent".padStart(6)}  ${"acked".padStart(6)}  ${"failed".padStart(6)}  ${"time".padStart(8)}  ${"rate".padStart(8)}  ${"p50".padStart(8)}  ${"p99".padStart(8)}`,
    );
    const sqlite = await load(join(dir, "fleet.db"), count, concurrency);
    console.log(row("SQLite", count, sqlite));
    const pg = await load(await postgres.freshDatabase(), count, concurrency);
    console.log(row("PostgreSQL 15", count, pg));
    const rate = sqlite.acks.length / sqlite.seconds;
    console.log(
      `SQLite rate ${rate.toFixed(0)}/s against the target of ${TARGET_PER_SECOND}/s: ${rate >= TARGET_PER_SECOND ? "met" : "NOT MET"}`,
    );

    console.log("\nfleet: kill -9 of serve mid-ingest, restart, submit everything again");
    const kills = [
      { name: "SQLite", store: join(dir, "kill.db") },
      { name: "PostgreSQL 15", store: await postgres.freshDatabase() },
    ];
    for (const { name, store } of kills) {
      const submissions = fleetSubmissions(Math.min(count, 3000));
      const result = await killMidIngest(store, submissions, 1000, concurrency);
      console.log(
        `${name.padEnd(14)} acknowledged before the kill ${result.acknowledgedBeforeKill}, lost ${result.lost}, stored twice ${result.duplicated} (${result.storedAfter} stored, ${result.expected} expected)`,
      );
    }
  } finally {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
