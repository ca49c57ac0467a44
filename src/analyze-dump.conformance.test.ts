/**
 * `analyze` on the lab's real vmcores: the log read from each dump (no debuginfo) gives the
 * same kind, title and culprit as the console log of the same crash. Needs ../shared/lab.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { essence } from "../test/essence.js";
import { input } from "../test/inputs.js";
import { shared } from "../test/shared.js";
import { analyzeFile, analyzeText } from "./analyze.js";
import { diagnose } from "./diagnose/index.js";

const dumps: Array<[file: string, run: string, format: RegExp]> = [
  ["nullread.kdump-zlib", "nullread", /^kdump-compressed/],
  ["nullread.kdump-lzo", "nullread", /^kdump-compressed/],
  ["nullread.elf", "nullread", /^elf/],
  ["bugon.kdump-zlib", "bugon", /^kdump-compressed/],
  ["hung.kdump-zlib", "hung", /^kdump-compressed/],
  ["softlockup.kdump-zlib", "softlockup", /^kdump-compressed/],
  ["oom.qemu-kdump-flat", "oom", /^flattened/],
];

describe("analyze on vmcores", () => {
  for (const [file, run, format] of dumps) {
    it(`${file} reads like lab run ${run}`, async () => {
      const fromDump = await analyzeFile(shared("lab", "dumps", file));
      const fromConsole = analyzeText(input(`lab:${run}`));
      const [dumpReports, consoleReports] = [await diagnose(fromDump), await diagnose(fromConsole)];
      assert.deepEqual(dumpReports.map(essence), consoleReports.map(essence));
      assert.match(fromDump.dump?.format ?? "", format);
      assert.equal(fromDump.dump?.release, "6.1.0-56-cloud-amd64");
      assert.equal(fromDump.dump?.log, "lockless");
      assert.ok((fromDump.dump?.logRecords ?? 0) > 300);
    });
  }

  it("tells a text file from a dump by content, whatever its name", async () => {
    const result = await analyzeFile(shared("lab", "dumps", "nullread.kdump-zlib.dmesg.txt"));
    assert.equal(result.dump, undefined);
    assert.equal(result.reports[0]?.kind, "null-deref");
  });
});
