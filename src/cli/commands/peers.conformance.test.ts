/**
 * crashlens against the peers, run live (Debian's packages, installed by
 * scripts/test-deps.mjs): `crashlens dmesg` and makedumpfile --dump-dmesg on every lab dump
 * makedumpfile can read (not QEMU's flattened one), and vmcore-dmesg reading the ELF dump
 * `crashlens extract` writes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot, testdata } from "../../../test/shared.js";
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

describe("vmcore-dmesg reads what crashlens extract writes", () => {
  it("extract --format elf of a minimal dump gives vmcore-dmesg's log", () => {
    const elf = join(out, "extract.elf");
    const bin = join(repoRoot, "bin", "crashlens.js");
    const fixture = testdata("dumps", "nullread-dmesg.kdump-zlib");
    const ours = spawnSync(process.execPath, [bin, "extract", "--format", "elf", fixture, elf]);
    assert.equal(ours.status, 0, String(ours.stderr));
    const peer = spawnSync("vmcore-dmesg", [elf], { encoding: "latin1" });
    assert.equal(peer.status, 0, peer.stderr);
    assert.equal(
      peer.stdout,
      readFileSync(testdata("dumps", "nullread.vmcore-dmesg.txt"), "latin1"),
    );
  });
});
