/**
 * The dump commands as a user runs them (the built CLI, whole process): output, stderr and
 * exit codes — 0 with a log, 1 when nothing useful came out, 2 for files that are not dumps.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { conformanceImage } from "../../dump/reader.case.js";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/crashlens.js", ...args], { encoding: "latin1" });
const dir = mkdtempSync(join(tmpdir(), "crashlens-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = "testdata/dumps/nullread-dmesg.kdump-zlib";

describe("crashlens dmesg / extract", () => {
  // vmcore-dmesg is installed by scripts/test-deps.mjs before the tests run
  it("extract --format elf writes a dump the peer vmcore-dmesg reads too", () => {
    const out = join(dir, "peer.elf");
    assert.equal(run("extract", "--format", "elf", fixture, out).status, 0);
    const peer = spawnSync("vmcore-dmesg", [out], { encoding: "latin1" });
    assert.equal(peer.status, 0, peer.stderr);
    assert.equal(peer.stdout, readFileSync("testdata/dumps/nullread.vmcore-dmesg.txt", "latin1"));
  });

  it("dmesg prints the log byte-identical to makedumpfile", () => {
    const r = run("dmesg", fixture);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"));
    assert.equal(r.stderr, "");
  });
  it("dmesg --flush-left prints vmcore-dmesg's shape", () => {
    const r = run("dmesg", "--flush-left", fixture);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.vmcore-dmesg.txt", "latin1"));
  });
  it("exits 2 with one line for missing, empty and non-dump files", () => {
    writeFileSync(join(dir, "empty"), "");
    writeFileSync(join(dir, "text"), "just some text\n");
    for (const [file, pattern] of [
      [join(dir, "missing"), /cannot open \(ENOENT\)/],
      [join(dir, "empty"), /empty/],
      [join(dir, "text"), /not a vmcore/],
    ] as const) {
      const r = run("dmesg", file);
      assert.equal(r.status, 2, `${file}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });
  it("exits 1 when the dump holds no log (no VMCOREINFO), naming why", () => {
    const image = conformanceImage();
    delete image.vmcoreinfo;
    writeFileSync(join(dir, "novmci.elf"), image.toElf());
    const r = run("dmesg", join(dir, "novmci.elf"));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no VMCOREINFO/);
    assert.equal(r.stdout, "");
  });
  it("dmesg reads a dump without VMCOREINFO note, saying where it found the kernel's copy", () => {
    const r = run("dmesg", "testdata/dumps/nullread-novmcoreinfo.kdump-zlib");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"));
    assert.match(r.stderr, /warning: .*found in memory at physical 0x19ca000/);
  });
  it("extract --for dmesg writes a small dump that reads back the same log", () => {
    for (const format of ["kdump", "elf"]) {
      const out = join(dir, `small.${format}`);
      const r = run("extract", "--for", "dmesg", "--format", format, fixture, out);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /wrote .*: \d+ pages/);
      assert.equal(
        run("dmesg", out).stdout,
        readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"),
      );
    }
  });
});
