/**
 * The SQLite store: the store contract (contract.case.ts) on every committed real input, and
 * what only SQLite has: WAL, the migrations table, the LIKE search fallback, reopening a file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { StoreLockedError } from "./common.js";
import { hostileRoundTrip, storeContract } from "./contract.case.js";
import { analysedInputs } from "./inputs.case.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);
const paths = new WeakMap<Store, string>();

storeContract(
  "store/sqlite",
  async (options) => {
    const path = freshPath();
    const store = await SqliteStore.open(path, options);
    paths.set(store, path);
    return store;
  },
  async (store, options) => SqliteStore.open(paths.get(store) ?? "", options),
);

describe("store/sqlite: the file", () => {
  it("runs its migrations once, uses WAL and FTS5, and keeps everything when reopened", async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path);
    const inputs = (await analysedInputs()).slice(0, 20);
    const reports = inputs.flatMap((i) => i.reports);
    try {
      assert.equal(store.kind, "sqlite");
      assert.equal(store.fullText, true);
      for (const r of reports) await store.ingest(r);
    } finally {
      await store.close();
    }
    const again = await SqliteStore.open(path);
    try {
      assert.equal((await again.listReports()).total, reports.length);
    } finally {
      await again.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        raw.prepare("SELECT version FROM schema_migrations ORDER BY version").all(),
        [{ version: 1 }, { version: 2 }],
      );
      assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(
        raw.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM reports_fts").get()?.n,
        reports.length,
      );
    } finally {
      raw.close();
    }
  });

  it("a version-1 file (before tokens) gets migration 2 on open, its reports kept", async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path);
    const [report] = (await analysedInputs()).find((i) => i.reports.length > 0)?.reports ?? [];
    assert.ok(report);
    await store.ingest(report);
    await store.close();
    // back to what version 1 left: no tokens table, one migration recorded
    const raw = new Database(path);
    raw.exec("DROP TABLE tokens; DELETE FROM schema_migrations WHERE version = 2");
    raw.close();
    const upgraded = await SqliteStore.open(path);
    try {
      assert.equal((await upgraded.listReports()).total, 1);
      assert.deepEqual(await upgraded.listTokens(), []);
    } finally {
      await upgraded.close();
    }
  });

  it("clusters made by older rules are counted as stale until recluster regroups them", async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path);
    try {
      const reports = (await analysedInputs()).flatMap((i) => i.reports).slice(0, 5);
      for (const r of reports) await store.ingest(r);
      assert.equal(await store.staleClusters(), 0);
      // what a crashlens of rules version 1 left behind
      const raw = new Database(path);
      raw.exec("UPDATE clusters SET key = 'v1' || substr(key, 3)");
      const clusters = raw
        .prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM clusters")
        .get()?.n;
      raw.close();
      assert.ok(clusters && clusters > 1);
      assert.equal(await store.staleClusters(), clusters);
      const result = await store.recluster();
      assert.equal(result.reports, reports.length);
      assert.equal(await store.staleClusters(), 0);
    } finally {
      await store.close();
    }
  });

  it("waits for another connection's write lock without blocking the event loop", async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path);
    const [first, second] = (await analysedInputs()).flatMap((i) => i.reports);
    assert.ok(first && second);
    const locker = new Database(path);
    try {
      await store.ingest(first);
      locker.exec("BEGIN IMMEDIATE");
      const released = new Promise<number>((resolve) =>
        setTimeout(() => {
          locker.exec("COMMIT");
          resolve(Date.now());
        }, 1000),
      );
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 20);
      const started = Date.now();
      const ack = await store.ingest(second).finally(() => clearInterval(ticker));
      const done = Date.now();
      assert.equal(ack.duplicate, false);
      assert.ok(done >= (await released), "resolved before the lock was released");
      assert.ok(done - started < 3000, `${done - started} ms`);
      // a 20 ms tick over about a second: the loop kept turning while the ingest waited
      assert.ok(ticks >= 25, `${ticks} ticks`);
      assert.equal((await store.listReports()).total, 2);
    } finally {
      locker.close();
      await store.close();
    }
  });

  it("a lock held past the bound: the ingest fails with a clear error, nothing written", async () => {
    const path = freshPath();
    const store = await SqliteStore.open(path, { busyRetryMs: 300 });
    const [report] = (await analysedInputs()).flatMap((i) => i.reports);
    assert.ok(report);
    const locker = new Database(path);
    try {
      locker.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      await assert.rejects(store.ingest(report), (e: unknown) => {
        assert.ok(e instanceof StoreLockedError);
        assert.match(e.message, /stayed locked by another writer for 300 ms/);
        return true;
      });
      // one bounded wait, not one per report of the batch
      assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
      locker.exec("ROLLBACK");
      assert.equal((await store.listReports()).total, 0);
      // the lock gone, the same report goes in
      assert.equal((await store.ingest(report)).duplicate, false);
    } finally {
      locker.close();
      await store.close();
    }
  });

  it("the LIKE fallback keeps hostile text verbatim and finds it", async () => {
    const store = await SqliteStore.open(freshPath(), { search: "like" });
    try {
      assert.equal(store.fullText, false);
      await hostileRoundTrip(store);
    } finally {
      await store.close();
    }
  });
});
