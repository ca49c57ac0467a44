/**
 * The watch state: where it lives by default, a round trip through the file, nothing left
 * behind by the atomic write, and a damaged file refused with what to do about it (never
 * read as "nothing submitted yet"). Two processes updating one state keep each other's
 * entries (the lock), a dead process's lock is taken over, a live one's waited for.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { repoRoot } from "../../test/shared.js";
import { CrashlensError } from "../errors.js";
import { lockPathOf } from "./state-lock.js";
import {
  defaultStatePath,
  emptyState,
  readState,
  updateState,
  type WatchState,
  writeState,
} from "./watch-state.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-watch-state-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sample: WatchState = {
  version: 1,
  submitted: {
    "/var/crash/202611301204": {
      sent: "/var/crash/202611301204/dump.202611301204",
      as: "dump",
      fingerprint: "ab".repeat(32),
      reports: [12],
      clusters: [3],
      at: "2026-11-30T12:10:00.000Z",
    },
  },
};

describe("watch state", () => {
  it("lives under XDG_STATE_HOME, else ~/.local/state", () => {
    assert.equal(
      defaultStatePath({ XDG_STATE_HOME: "/srv/state", HOME: "/root" }),
      "/srv/state/crashlens/watch-state.json",
    );
    assert.equal(
      defaultStatePath({ HOME: "/home/ops" }),
      "/home/ops/.local/state/crashlens/watch-state.json",
    );
  });

  it("is empty before the first write, and reads back what was written, leaving no temporary file", () => {
    const path = join(dir, "nested", "crashlens", "watch-state.json");
    assert.deepEqual(readState(path, "/var/crash"), emptyState());
    writeState(path, sample);
    assert.deepEqual(readState(path, "/var/crash"), sample);
    assert.deepEqual(readdirSync(join(dir, "nested", "crashlens")), ["watch-state.json"]);
    writeState(path, emptyState());
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), emptyState());
  });

  it("refuses a damaged file with what to do, instead of starting over", () => {
    const cases: Array<[string, RegExp]> = [
      ['{"version":1,"submitted":{"/var/crash/x":', /not JSON/],
      ['{"version":7,"submitted":{}}', /version 7, not 1/],
      ['{"version":1,"submitted":{"/var/crash/x":{"sent":"a"}}}', /entry for \/var\/crash\/x/],
      ["[]", /no `submitted`|version/],
    ];
    for (const [text, why] of cases) {
      const path = join(dir, "damaged.json");
      writeFileSync(path, text);
      assert.throws(
        () => readState(path, "/var/crash"),
        (error: unknown) => {
          assert.ok(error instanceof CrashlensError);
          assert.equal(error.code, "bad-data");
          assert.match(error.message, why);
          assert.match(error.message, /damaged/);
          assert.match(
            error.message,
            /Repair it, or move it away to submit every crash under \/var\/crash once more/,
          );
          return true;
        },
      );
    }
  });

  it("two processes updating one state at once keep every entry", async () => {
    const path = join(dir, "shared", "watch-state.json");
    const module = pathToFileURL(join(repoRoot, "src", "agent", "watch-state.ts")).href;
    // each process records 40 crashes of its own, one update each, as a watcher does
    const writer = (who: string) => `
      const { updateState } = await import(${JSON.stringify(module)});
      for (let i = 0; i < 40; i++)
        await updateState(${JSON.stringify(path)}, "/var/crash", (s) => ({
          ...s,
          submitted: { ...s.submitted, ["/var/crash/${who}-" + i]: {
            sent: "x", as: "text", fingerprint: "f", reports: [i], clusters: [i], at: "" } },
        }));`;
    const run = promisify(execFile);
    await Promise.all(
      ["a", "b"].map((who) =>
        run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", writer(who)], {
          cwd: repoRoot,
        }),
      ),
    );
    assert.equal(Object.keys(readState(path, "/var/crash").submitted).length, 80);
    assert.equal(existsSync(lockPathOf(path)), false);
  });

  it("takes over the lock of a process that is gone; waits for a live one, then says who holds it", async () => {
    const path = join(dir, "locked", "watch-state.json");
    writeState(path, emptyState());
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    assert.ok(gone !== undefined);
    writeFileSync(lockPathOf(path), `${gone}\n`);
    const next = await updateState(path, "/var/crash", () => sample);
    assert.deepEqual(next, sample);
    assert.equal(existsSync(lockPathOf(path)), false);

    // held by this very process (alive): the update waits, and gives up naming the holder
    writeFileSync(lockPathOf(path), `${process.pid}\n`);
    await assert.rejects(
      updateState(path, "/var/crash", () => emptyState(), { waitMs: 100, retryMs: 10 }),
      new RegExp(`stays locked by process ${process.pid} `),
    );
    // released meanwhile: the waiting update goes through
    const waiting = updateState(path, "/var/crash", () => emptyState(), {
      waitMs: 5000,
      retryMs: 10,
    });
    setTimeout(() => rmSync(lockPathOf(path)), 50);
    assert.deepEqual(await waiting, emptyState());
    assert.deepEqual(readState(path, "/var/crash"), emptyState());
  });
});
