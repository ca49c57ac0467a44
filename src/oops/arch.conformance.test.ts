/**
 * Architectures beyond x86-64, on real logs read in place from the public corpora
 * (../shared/corpus): arm64 fully (pc/lr, x0–x29, code words, trace); i386, arm, ppc64 and
 * s390x for kind, title and trace.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../test/shared.js";
import { analyzeText } from "../analyze.js";

function syzkallerLog(path: string): { log: string; corrupted: boolean } {
  const text = readFileSync(path, "utf8").replace(/\r/g, "");
  const split = text.indexOf("\n\n");
  return { log: text.slice(split + 2), corrupted: /^CORRUPTED: Y$/m.test(text.slice(0, split)) };
}

describe("arm64 reports (syzkaller corpus)", () => {
  const dir = shared("corpus", "syzkaller", "linux-report");
  const files = readdirSync(dir).filter((f) => {
    const { log, corrupted } = syzkallerLog(join(dir, f));
    // reports whose header precedes the register dump (panics print theirs after it)
    const header = log.search(/BUG: |Unable to handle kernel|Internal error:|WARNING: /);
    const pc = log.search(/\] pc : \w/);
    return !corrupted && /\bx29: [0-9a-f]{16}/.test(log) && header !== -1 && pc > header;
  });
  it("the corpus has arm64 reports to check", () =>
    assert.ok(files.length >= 5, `${files.length}`));
  for (const file of files) {
    it(`file ${file}: pc, registers, code words and trace`, () => {
      const report = analyzeText(syzkallerLog(join(dir, file)).log).reports[0];
      assert.equal(report?.arch, "arm64");
      assert.ok(report?.ip?.symbol, "pc names a function");
      assert.ok(report?.registers.x29 && report.registers.sp, "x29 and sp are read");
      if (report?.code) assert.equal(report.code.unit, 4);
      assert.ok((report?.trace.length ?? 0) > 0, "a call trace");
    });
  }
});

describe("other architectures (satyr corpus)", () => {
  const cases: Array<[file: string, arch: string, title: RegExp]> = [
    [
      "rhbz-1040900-ppc64-1",
      "ppc64",
      /^WARNING: at arch\/powerpc\/platforms\/pseries\/eeh\.c:LINE/,
    ],
    ["rhbz-1040900-s390x-1", "s390x", /^WARNING: at .*will_oops\.c:LINE/],
    [
      "arm-hung-task-oops-2",
      "arm",
      /^BUG: unable to handle kernel NULL pointer dereference in shmem_getpage_gfp$/,
    ],
    ["gitlog-05", "i386", /^inconsistent lock state in ath5k_tasklet_beacon$/],
  ];
  for (const [file, arch, title] of cases) {
    it(`${file}: ${arch}`, () => {
      const report = analyzeText(
        readFileSync(shared("corpus", "satyr", "kerneloopses", file), "utf8"),
      ).reports[0];
      assert.equal(report?.arch, arch);
      assert.match(report?.title ?? "", title);
      assert.ok((report?.trace.length ?? 0) >= 5, `trace of ${report?.trace.length}`);
    });
  }
});
