/**
 * The dump commands as a user runs them (the command line, in process): output, stderr and
 * exit codes — 0 with a log, 1 when nothing useful came out, 2 for files that are not dumps.
 * The peer vmcore-dmesg reading our extracts runs in peers.conformance.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";
import { conformanceImage } from "../../dump/reader.case.js";

const run = (...args: string[]) => cli(args, { encoding: "latin1" });
const dir = mkdtempSync(join(tmpdir(), "crashlens-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = "testdata/dumps/nullread-dmesg.kdump-zlib";

describe("crashlens dmesg / extract", () => {
  it("dmesg prints the log byte-identical to makedumpfile", async () => {
    const r = await run("dmesg", fixture);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"));
    assert.equal(r.stderr, "");
  });
  it("dmesg --flush-left prints vmcore-dmesg's shape", async () => {
    const r = await run("dmesg", "--flush-left", fixture);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.vmcore-dmesg.txt", "latin1"));
  });
  it("exits 2 with one line for missing, empty and non-dump files", async () => {
    writeFileSync(join(dir, "empty"), "");
    writeFileSync(join(dir, "text"), "just some text\n");
    for (const [file, pattern] of [
      [join(dir, "missing"), /cannot open \(ENOENT\)/],
      [join(dir, "empty"), /empty/],
      [join(dir, "text"), /not a vmcore/],
    ] as const) {
      const r = await run("dmesg", file);
      assert.equal(r.code, 2, `${file}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });
  it("exits 1 when the dump holds no log (no VMCOREINFO), naming why", async () => {
    const image = conformanceImage();
    delete image.vmcoreinfo;
    writeFileSync(join(dir, "novmci.elf"), image.toElf());
    const r = await run("dmesg", join(dir, "novmci.elf"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no VMCOREINFO/);
    assert.equal(r.stdout, "");
  });
  it("dmesg reads a dump without VMCOREINFO note, saying where it found the kernel's copy", async () => {
    const r = await run("dmesg", "testdata/dumps/nullread-novmcoreinfo.kdump-zlib");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"));
    assert.match(r.stderr, /warning: .*found in memory at physical 0x19ca000/);
  });
  it("extract --for dmesg writes a small dump that reads back the same log", async () => {
    for (const format of ["kdump", "elf"]) {
      const out = join(dir, `small.${format}`);
      const r = await run("extract", "--for", "dmesg", "--format", format, fixture, out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /wrote .*: \d+ pages/);
      assert.equal(
        (await run("dmesg", out)).stdout,
        readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"),
      );
    }
  });
});
