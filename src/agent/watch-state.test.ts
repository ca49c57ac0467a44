/**
 * The watch state: where it lives by default, a round trip through the file, nothing left
 * behind by the atomic write, and a damaged file refused with what to do about it (never
 * read as "nothing submitted yet").
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CrashlensError } from "../errors.js";
import {
  defaultStatePath,
  emptyState,
  readState,
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
});
