/**
 * Write-before-acknowledge, tested as a crash (kill.case.ts): a child process ingests reports
 * into a SQLite file and acknowledges each; it is killed with SIGKILL mid-batch; the file,
 * reopened, holds every acknowledged report, once. (The PostgreSQL store runs the same in
 * postgres.conformance.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { assertNoAcknowledgedLoss } from "./kill.case.js";
import { SqliteStore } from "./sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-kill-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("store/sqlite: kill -9 mid-batch", () => {
  it("loses no acknowledged report and duplicates none", async () => {
    await assertNoAcknowledgedLoss(join(dir, "kill.db"), (path) => SqliteStore.open(path));
  });
});
