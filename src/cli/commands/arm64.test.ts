/**
 * The dump commands on the committed arm64 fixture (`crashlens extract --for dmesg` of the
 * arm64 lab's nullread dump: Debian 6.1 arm64 under QEMU, KASLR on; the 4 KiB pages the log
 * needs, cut out of QEMU's 64 KiB kdump blocks): `dmesg` is vmcore-dmesg's output,
 * `info` gives the arm64 layout and registers, `analyze` of the dump says what analyzing its
 * console says, and `extract` of it reads back the same log. The lab dumps themselves are in
 * src/kernel/arch/arm64.conformance.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";

const run = (...args: string[]) => cli(args, { encoding: "latin1" });
const dir = mkdtempSync(join(tmpdir(), "crashlens-arm64-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = "testdata/dumps/arm64-nullread-dmesg.kdump-zlib";
// vmcore-dmesg's output for the lab dump (read from a virtual-address ELF copy of it)
const reference = readFileSync("testdata/dumps/arm64-nullread.dmesg.txt", "latin1");
// the lab kernel's VMCOREINFO, as the fixture's note carries it
const entry = (name: string) => {
  const note = readFileSync(fixture, "latin1");
  return new RegExp(`\n${name}=([^\n]*)\n`).exec(note)?.[1];
};

describe("arm64 dump (committed fixture)", () => {
  it("dmesg --flush-left is byte-identical to vmcore-dmesg", async () => {
    const r = await run("dmesg", "--flush-left", fixture);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, reference);
  });

  it("info --json names the machine, the arm64 layout and each CPU's pc and sp", async () => {
    const r = await cli(["info", "--json", fixture]);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.equal(got.machine, "aarch64");
    assert.equal(got.release, entry("OSRELEASE"));
    assert.equal(got.kaslrOffset, `0x${entry("KERNELOFFSET")}`);
    assert.equal(got.vaBits, Number(entry("NUMBER\\(VA_BITS\\)")));
    assert.equal(got.kimageVoffset, entry("NUMBER\\(kimage_voffset\\)"));
    assert.equal(got.physOffset, entry("NUMBER\\(PHYS_OFFSET\\)"));
    assert.equal(got.pageOffset, "0xffff000000000000"); // −2^VA_BITS: the flipped layout
    assert.equal(got.pageTableLevels, 4);
    // x86-64's facts are not made up for arm64
    for (const key of ["physBase", "pageOffsetBase", "fiveLevelPaging"])
      assert.ok(!(key in got), key);
    assert.equal(got.log, "lockless");
    assert.equal(got.logRecords, reference.trimEnd().split("\n").length);
    assert.equal(got.panicCpu, 0); // "CPU: 0 PID: 102 Comm: sh" in the Oops
    // NT_PRSTATUS (392 bytes: x0–x30, sp, pc, pstate); CPU 0 stopped in lab_pvpanic (crash
    // `mod`: base ffffaf2d7f92c000, 16384 bytes), CPU 1 in local_cpu_stop
    assert.deepEqual(got.cpus, [
      { cpu: 0, pid: 1, pc: "0xffffaf2d7f92c128", sp: "0xffff800008223560", source: "prstatus" },
      { cpu: 1, pid: 2, pc: "0xffffaf2d91e26ae8", sp: "0xffff80000800bf10", source: "prstatus" },
    ]);
    // the extract keeps the kernel's 4 KiB pages, not QEMU's 64 KiB blocks
    assert.equal(got.header.blockSize, 4096);
    assert.equal(got.header.utsname, "Linux (none) 6.1.0-56-cloud-arm64 aarch64");
  });

  it("info's text shows PC and SP, and no x86-64 rows", async () => {
    const r = await run("info", fixture);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^machine: +aarch64$/m);
    assert.match(r.stdout, /^kimage_voffset: +0xffffaf2d51c00000$/m);
    assert.match(
      r.stdout,
      /^CPU 0 \(pid 1\): +PC ffffaf2d7f92c128 {2}SP ffff800008223560 {2}\[prstatus\]$/m,
    );
    assert.doesNotMatch(r.stdout, /RIP|^phys_base:|^page_offset_base:|^5-level/m);
  });

  it("analyze of the dump gives the kind, title and culprit of analyzing its console", async () => {
    const fromDump = JSON.parse((await cli(["analyze", "--json", fixture])).stdout);
    const fromConsole = JSON.parse(
      (await cli(["analyze", "--json", "testdata/oops/arm64/lab-nullread.txt"])).stdout,
    );
    const essence = (j: { reports: { kind: string; title: string; culprit?: unknown }[] }) =>
      j.reports.map((r) => ({ kind: r.kind, title: r.title, culprit: r.culprit }));
    const [dump] = essence(fromDump);
    const [console] = essence(fromConsole);
    assert.equal(dump?.kind, "null-deref");
    assert.equal(
      dump?.title,
      "BUG: unable to handle kernel NULL pointer dereference in buggy_read_status",
    );
    assert.deepEqual(
      { ...dump, culprit: { ...(dump?.culprit as object), line: undefined } },
      { ...console, culprit: { ...(console?.culprit as object), line: undefined } },
    );
    const facts = fromDump.inputs[0].dump;
    assert.equal(facts.machine, "aarch64");
    assert.deepEqual(facts.panicRegisters, { pc: "0xffffaf2d7f92c128", sp: "0xffff800008223560" });
    // the dump-only evidence (stacks, slab) is x86-64's today: a warning, not a failure
    assert.equal(fromDump.inputs[0].reports, 1);
    assert.ok(Array.isArray(facts.evidence?.warnings));
  });

  it("extract --for dmesg writes a kdump or an arm64 ELF that reads back the same log", async () => {
    for (const format of ["kdump", "elf"]) {
      const out = join(dir, `small.${format}`);
      const r = await run("extract", "--for", "dmesg", "--format", format, fixture, out);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /wrote .*: \d+ pages/);
      assert.equal((await run("dmesg", "--flush-left", out)).stdout, reference, format);
      const info = JSON.parse((await cli(["info", "--json", out])).stdout);
      assert.equal(info.machine, "aarch64", format);
      if (format === "elf") assert.equal(info.header.machine, "aarch64"); // e_machine EM_AARCH64
    }
  });
});
