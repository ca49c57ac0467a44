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
