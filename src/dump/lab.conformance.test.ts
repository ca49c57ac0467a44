/**
 * The lab's real dumps (Debian 6.1 kernel under QEMU): crashlens's log must equal the peers'
 * reference output byte for byte, in every format, including the ones each peer cannot read.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hideVmcoreinfo } from "../../test/writers/hide-vmcoreinfo.js";
import { labCases, labDumps } from "../../test/writers/lab.js";
import { formatLog, openKernel, panicCpu } from "../kernel/index.js";
import { recordPages } from "./extract.js";
import { BufferRandomAccess, openDump, openDumpFrom } from "./index.js";
import { writeFlattened } from "./writers/flattened-writer.js";

const lab = labDumps();

describe("lab dumps: the log equals the reference", () => {
  for (const c of labCases) {
    it(`${c.file}`, async () => {
      const dump = await openDump(join(lab, c.file));
      try {
        const kernel = await openKernel(dump);
        const log = await kernel.readLog();
        assert.deepEqual(log.warnings, []);
        assert.equal(log.generation, "lockless");
        const want = await readFile(join(lab, c.reference), "latin1");
        assert.equal(formatLog(log.records, c.style), want);
        assert.equal(kernel.release, "6.1.0-56-cloud-amd64");
        assert.equal(kernel.machine, "x86_64");
        assert.equal(kernel.cpus.length, 2);
        for (const cpu of kernel.cpus)
          assert.ok((cpu.registers.rip ?? 0n) >= 0xffffffff80000000n, "RIP is a kernel address");
        // the CPU of the last task line in the peer's log is the one that panicked
        const taskLines = [...want.matchAll(/CPU: (\d+) PID: \d+ Comm:/g)];
        const expected = Number(taskLines.at(-1)?.[1]);
        assert.equal(panicCpu(kernel, log.records), expected);
        assert.ok(
          kernel.directMapBase !== undefined && kernel.directMapBase >= 0xffff888000000000n,
        );
      } finally {
        await dump.close();
      }
    });
  }

  it("a makedumpfile -F stream of a lab dump (made in memory) reads the same log", async () => {
    const bytes = await readFile(join(lab, "bugon.kdump-zlib"));
    const flat = writeFlattened(bytes, { recordSize: 65536 });
    const dump = await openDumpFrom(new BufferRandomAccess(flat, "bugon.flat"), "bugon.flat");
    assert.equal(dump.format, "flattened");
    const log = await (await openKernel(dump)).readLog();
    assert.equal(
      formatLog(log.records),
      await readFile(join(lab, "bugon.kdump-zlib.dmesg.txt"), "latin1"),
    );
  });

  for (const c of labCases.filter(
    (c) => c.file === "nullread.elf" || c.file === "oom.qemu-kdump-flat",
  )) {
    it(`${c.file} with its VMCOREINFO hidden: found in memory, same log`, async () => {
      const dump = hideVmcoreinfo(await openDump(join(lab, c.file)));
      const kernel = await openKernel(dump);
      assert.match(kernel.warnings.join(";"), /found in memory/);
      const log = await kernel.readLog();
      assert.equal(
        formatLog(log.records, c.style),
        await readFile(join(lab, c.reference), "latin1"),
      );
      await dump.close();
    });
  }

  it("an extract of a dump without VMCOREINFO records the page found, not the whole scan", async () => {
    const pagesFor = async (hidden: boolean) => {
      const opened = await openDump(join(lab, "nullread.elf"));
      const dump = hidden ? hideVmcoreinfo(opened) : opened;
      const recording = recordPages(dump);
      await (await openKernel(dump)).readLog();
      recording.stop();
      await dump.close();
      return recording.pages.size;
    };
    const withNote = await pagesFor(false);
    const scanned = await pagesFor(true);
    // the hidden case reads one more page (vmcoreinfo_data) and records nothing else
    assert.ok(withNote > 0);
    assert.ok(scanned <= withNote + 1, `${scanned} pages recorded, ${withNote} with the note`);
  });

  it("vmcore-dmesg's flush-left shape matches its reference", async () => {
    const dump = await openDump(join(lab, "nullread.elf"));
    const log = await (await openKernel(dump)).readLog();
    await dump.close();
    assert.equal(
      formatLog(log.records, "vmcore-dmesg"),
      await readFile(join(lab, "nullread.vmcore-dmesg.txt"), "latin1"),
    );
  });
});
