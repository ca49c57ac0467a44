/**
 * The fleet server killed with SIGKILL mid-ingest, on SQLite and on PostgreSQL: `crashlens
 * serve` (the bundled CLI, as users run it) takes submissions of the committed real logs
 * from many hosts, is killed once 300 are acknowledged, restarts on the same store and gets
 * everything again. Nothing acknowledged may be lost, nothing stored twice. (`npm run bench
 * -- --only fleet` runs the same at 10,000 submissions with the throughput figures.)
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fleetSubmissions, killMidIngest } from "../scripts/fleet-load.js";
import { type PostgresServer, startPostgres } from "../src/store/pg-server.case.js";

const SUBMISSIONS = 1200;
const KILL_AFTER = 300;
const IN_FLIGHT = 64;

describe("fleet: kill -9 of serve mid-ingest", () => {
  const dir = mkdtempSync(join(tmpdir(), "crashlens-fleet-kill-"));
  let postgres: PostgresServer;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const stores: Array<{ name: string; location: () => Promise<string> }> = [
    { name: "SQLite", location: async () => join(dir, "fleet.db") },
    { name: "PostgreSQL", location: () => postgres.freshDatabase() },
  ];
  for (const { name, location } of stores)
    it(`${name}: every acknowledged report survives, none is stored twice`, async () => {
      const submissions = fleetSubmissions(SUBMISSIONS);
      const result = await killMidIngest(await location(), submissions, KILL_AFTER, IN_FLIGHT);
      // the kill came mid-ingest: some were acknowledged, not all
      assert.ok(result.acknowledgedBeforeKill >= KILL_AFTER, JSON.stringify(result));
      assert.ok(result.acknowledgedBeforeKill < SUBMISSIONS, JSON.stringify(result));
      assert.equal(result.lost, 0, JSON.stringify(result));
      assert.equal(result.duplicated, 0, JSON.stringify(result));
      assert.ok(result.storedAfter >= SUBMISSIONS, JSON.stringify(result));
    });
});
