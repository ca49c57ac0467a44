/**
 * The committed fixtures in testdata/dumps: pruned real dumps (`crashlens extract --for dmesg`
 * of the lab dumps). The snappy and zstd ones re-compress the real nullread dump's pages,
 * since no real snappy or zstd dump exists (see scripts/make-fixtures.ts).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { formatLog, openKernel } from "../kernel/index.js";
import { openDump } from "./index.js";

const dir = "testdata/dumps";
const cases = [
  {
    file: "nullread-dmesg.kdump-zlib",
    compression: "zlib",
    reference: "nullread.dmesg.txt",
    style: "makedumpfile",
  },
  {
    file: "nullread-dmesg.kdump-lzo",
    compression: "lzo",
    reference: "nullread.dmesg.txt",
    style: "makedumpfile",
  },
  {
    file: "nullread-dmesg.kdump-snappy",
    compression: "snappy",
    reference: "nullread.dmesg.txt",
    style: "makedumpfile",
  },
  {
    file: "nullread-dmesg.kdump-zstd",
    compression: "zstd",
    reference: "nullread.dmesg.txt",
    style: "makedumpfile",
  },
  {
    file: "nullread-dmesg.kdump-zlib",
    compression: "zlib",
    reference: "nullread.vmcore-dmesg.txt",
    style: "vmcore-dmesg",
  },
  {
    file: "oom-dmesg.kdump-zlib",
    compression: "zlib",
    reference: "oom.vmcore-dmesg.txt",
    style: "vmcore-dmesg",
  },
  // arm64: 4 KiB pages cut out of QEMU's 64 KiB kdump blocks (scripts/make-fixtures.ts)
  {
    file: "arm64-nullread-dmesg.kdump-zlib",
    compression: "zlib",
    reference: "arm64-nullread.dmesg.txt",
    style: "vmcore-dmesg",
  },
] as const;

describe("committed fixtures", () => {
  it("a dump without a VMCOREINFO note (QEMU without -device vmcoreinfo) still gives the log", async () => {
    const dump = await openDump(`${dir}/nullread-novmcoreinfo.kdump-zlib`);
    try {
      assert.equal(dump.vmcoreinfo, undefined);
      assert.equal(dump.notes.filter((n) => n.name === "VMCOREINFO").length, 0);
      const kernel = await openKernel(dump);
      assert.match(
        kernel.warnings.join(";"),
        /no VMCOREINFO note; using the kernel's copy found in memory at physical 0x19ca000/,
      );
      assert.equal(kernel.release, "6.1.0-56-cloud-amd64");
      const log = await kernel.readLog();
      assert.equal(formatLog(log.records), await readFile(`${dir}/nullread.dmesg.txt`, "latin1"));
    } finally {
      await dump.close();
    }
  });

  for (const c of cases) {
    it(`${c.file} (${c.style}) equals ${c.reference}`, async () => {
      const dump = await openDump(`${dir}/${c.file}`);
      try {
        const status = dump.facts().find((f) => f.key === "status");
        assert.match(String(status?.text), new RegExp(c.compression));
        const log = await (await openKernel(dump)).readLog();
        assert.deepEqual(log.warnings, []);
        assert.equal(
          formatLog(log.records, c.style),
          await readFile(`${dir}/${c.reference}`, "latin1"),
        );
      } finally {
        await dump.close();
      }
    });
  }
});
