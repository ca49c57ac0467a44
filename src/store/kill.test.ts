/**
 * Write-before-acknowledge, tested as a crash: a child process ingests reports and
 * acknowledges each on stdout; it is killed with SIGKILL mid-batch; the database, reopened,
 * holds every acknowledged report, once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "./sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-kill-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const child = fileURLToPath(new URL("./kill-child.case.ts", import.meta.url));

/** Runs the writer until `acks` acknowledgements, kills it, returns what it acknowledged. */
function writeAndKill(db: string, acks: number): Promise<Array<{ id: number; host: string }>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, db], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: Array<{ id: number; host: string }> = [];
    let buffered = "";
    let stderr = "";
    let killed = false;
    proc.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? ""; // a partial last line is not an acknowledgement
      for (const line of lines) {
        const m = /^ack (\d+) (\S+)$/.exec(line);
        if (m) acked.push({ id: Number(m[1]), host: m[2] ?? "" });
      }
      if (!killed && acked.length >= acks) {
        killed = true;
        proc.kill("SIGKILL");
      }
    });
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      if (signal !== "SIGKILL")
        reject(new Error(`writer ended (${code}) before the kill: ${stderr}`));
      else resolve(acked);
    });
  });
}

describe("store/sqlite: kill -9 mid-batch", () => {
  it("loses no acknowledged report and duplicates none", async () => {
    const db = join(dir, "kill.db");
    const first = await writeAndKill(db, 150);
    assert.ok(first.length >= 150);
    const store = await SqliteStore.open(db);
    try {
      for (const { id, host } of first) {
        const stored = await store.getReport(id);
        assert.equal(stored?.host, host, `acknowledged report ${id} (${host}) is missing`);
      }
      const { clusters } = await store.listClusters();
      assert.equal(clusters.length, 1);
      const stored = clusters[0]?.count ?? 0;
      // at most the one in flight when the kill came is stored but not acknowledged
      assert.ok(
        stored >= first.length && stored <= first.length + 1,
        `${stored} vs ${first.length}`,
      );
    } finally {
      await store.close();
    }
    // a second writer after the crash: the same hosts again are duplicates, not new rows
    const second = await writeAndKill(db, 50);
    const store2 = await SqliteStore.open(db);
    try {
      for (const { id, host } of second) assert.equal((await store2.getReport(id))?.host, host);
      for (const [i, ack] of second.entries())
        if (i < first.length) assert.equal(ack.id, first[i]?.id);
    } finally {
      await store2.close();
    }
  });
});
