/**
 * `crashlens dmesg` against the peer that defines its output, run live: makedumpfile
 * --dump-dmesg (Debian's makedumpfile, installed by scripts/test-deps.mjs) on every lab dump
 * it can read. The QEMU flattened dump is left out because makedumpfile cannot read it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "../../../test/shared.js";
import { labCases, labDumps } from "../../../test/writers/lab.js";

const lab = labDumps();
const out = mkdtempSync(join(tmpdir(), "crashlens-peers-"));
after(() => rmSync(out, { recursive: true, force: true }));

describe("crashlens dmesg and makedumpfile --dump-dmesg", () => {
  for (const { file } of labCases.filter((c) => c.style === "makedumpfile")) {
    it(`${file}: byte-identical logs`, () => {
      const theirs = join(out, `${file}.txt`);
      const peer = spawnSync("makedumpfile", ["--dump-dmesg", join(lab, file), theirs], {
        encoding: "latin1",
      });
      assert.equal(peer.status, 0, peer.stderr);
      const ours = spawnSync(
        process.execPath,
        [join(repoRoot, "bin", "crashlens.js"), "dmesg", join(lab, file)],
        {
          encoding: "latin1",
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      assert.equal(ours.status, 0, ours.stderr);
      assert.ok(ours.stdout.length > 10_000);
      assert.equal(ours.stdout, readFileSync(theirs, "latin1"));
    });
  }
});
