/**
 * store/open without a database server: a path opens SQLite (its folders made), and the log
 * line for a location never holds a password. (PostgreSQL URLs are opened in
 * postgres.conformance.test.ts, against a real server.)
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { describeStore, isPostgresUrl, openStore } from "./open.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-open-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("store/open", () => {
  it("a path is a SQLite file, its folders made", async () => {
    const path = join(dir, "a", "b", "fleet.db");
    const store = await openStore(path);
    try {
      assert.equal(store.kind, "sqlite");
      assert.ok(existsSync(path));
      assert.deepEqual(await store.listReports(), { total: 0, reports: [] });
    } finally {
      await store.close();
    }
  });

  it("only postgres:// and postgresql:// URLs are PostgreSQL", () => {
    const table: Array<[string, boolean]> = [
      ["postgres://db/crashlens", true],
      ["postgresql://u@db:5432/crashlens", true],
      ["POSTGRESQL://db/x", true],
      ["postgres.db", false],
      ["./postgresql:/x.db", false],
      ["mysql://db/x", false],
    ];
    for (const [location, postgres] of table) assert.equal(isPostgresUrl(location), postgres);
  });

  it("describes a location for the logs without its password", () => {
    const table: Array<[string, RegExp]> = [
      [
        "postgresql://fleet:s3cr%40t@db.example:5432/crashlens",
        /^postgres fleet@db\.example:5432\/crashlens$/,
      ],
      ["postgres://u:hunter2@h/db?sslmode=require&password=hunter2", /^postgres u@h\/db$/],
      ["postgres://h/db", /^postgres h\/db$/],
      ["postgres://u:pw@[::1", /^postgres \(an unreadable URL\)$/],
      ["store.db", /^sqlite \/.*\/store\.db$/],
    ];
    for (const [location, line] of table) {
      const described = describeStore(location);
      assert.match(described, line);
      assert.doesNotMatch(described, /s3cr|hunter2|pw/);
    }
  });
});
