/**
 * @module store/kill.case
 * Write-before-acknowledge, tested as a crash, for any store location (a SQLite file or a
 * PostgreSQL URL): a child process (kill-child.case.ts) ingests reports and acknowledges
 * each on stdout; it is killed with SIGKILL mid-batch; what it acknowledged is returned.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Store } from "./types.js";

const child = fileURLToPath(new URL("./kill-child.case.ts", import.meta.url));

export interface Ack {
  id: number;
  host: string;
}

/** Runs the writer on `location` until `acks` acknowledgements, kills it, returns them. */
export function writeAndKill(location: string, acks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child, location], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: Ack[] = [];
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

/**
 * Kills a writer mid-batch twice on `location`: the store, reopened, holds every acknowledged
 * report once, and the second writer's same hosts are duplicates of the first's, not new rows.
 */
export async function assertNoAcknowledgedLoss(
  location: string,
  open: (location: string) => Promise<Store>,
): Promise<void> {
  const first = await writeAndKill(location, 150);
  assert.ok(first.length >= 150);
  const store = await open(location);
  try {
    for (const { id, host } of first) {
      const stored = await store.getReport(id);
      assert.equal(stored?.host, host, `acknowledged report ${id} (${host}) is missing`);
    }
    const { clusters } = await store.listClusters();
    assert.equal(clusters.length, 1);
    const stored = clusters[0]?.count ?? 0;
    // at most the one in flight when the kill came is stored but not acknowledged
    assert.ok(stored >= first.length && stored <= first.length + 1, `${stored} vs ${first.length}`);
  } finally {
    await store.close();
  }
  const second = await writeAndKill(location, 50);
  const again = await open(location);
  try {
    for (const { id, host } of second) assert.equal((await again.getReport(id))?.host, host);
    for (const [i, ack] of second.entries())
      if (i < first.length) assert.equal(ack.id, first[i]?.id);
  } finally {
    await again.close();
  }
}
