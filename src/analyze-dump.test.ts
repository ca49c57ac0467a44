/**
 * `analyze` on the minimal dumps committed in testdata/dumps (the pages `dmesg` reads,
 * extracted from the lab's real vmcores, in every page compression): the log read from each
 * gives the same kind, title and culprit as the console log of the same crash. The full lab
 * dumps are checked the same way in analyze-dump.conformance.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { essence } from "../test/essence.js";
import { input } from "../test/inputs.js";
import { testdata } from "../test/shared.js";
import { analyzeFile, analyzeText } from "./analyze.js";
import { diagnose } from "./diagnose/index.js";

const dumps: Array<[file: string, run: string]> = [
  ["nullread-dmesg.kdump-zlib", "nullread"],
  ["nullread-dmesg.kdump-lzo", "nullread"],
  ["nullread-dmesg.kdump-snappy", "nullread"],
  ["nullread-dmesg.kdump-zstd", "nullread"],
  ["oom-dmesg.kdump-zlib", "oom"],
];

describe("analyze on minimal dumps", () => {
  for (const [file, run] of dumps) {
    it(`${file} reads like lab run ${run}`, async () => {
      const fromDump = await analyzeFile(testdata("dumps", file));
      const fromConsole = analyzeText(input(`lab:${run}`));
      const [dumpReports, consoleReports] = [await diagnose(fromDump), await diagnose(fromConsole)];
      assert.ok(consoleReports.length > 0);
      assert.deepEqual(dumpReports.map(essence), consoleReports.map(essence));
      assert.match(fromDump.dump?.format ?? "", /^kdump-compressed/);
      assert.equal(fromDump.dump?.release, "6.1.0-56-cloud-amd64");
      assert.equal(fromDump.dump?.log, "lockless");
      assert.ok((fromDump.dump?.logRecords ?? 0) > 300);
    });
  }

  it("tells a text file from a dump by content, whatever its name", async () => {
    const result = await analyzeFile(testdata("dumps", "nullread.dmesg.txt"));
    assert.equal(result.dump, undefined);
    assert.equal(result.reports[0]?.kind, "null-deref");
  });
});
