/**
 * The write-up blames one function from the verdict to the findings: a finding that puts the
 * blame on a caller is only printed when the verdict's culprit is that caller (seed 001: ceph
 * passes NULL to the core helper __free_pages), and a NULL passed between two functions of a
 * module leaves the culprit where the crash happened without a finding saying otherwise
 * (lab nullread, the example this repository once shipped).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../../test/inputs.js";
import { analyzeText } from "../../analyze.js";
import { diagnose } from "../../diagnose/index.js";
import { markdownStyle, renderWriteup } from "./writeup.js";

/** the first line of a report's write-up: "#1 <kind> in <function>; culprit: …" */
const verdictOf = (text: string) => text.split("\n").find((l) => /#\d+ /.test(l)) ?? "";

describe("write-up: one culprit from verdict to findings", () => {
  for (const name of ["seed:000", "seed:001", "seed:002", "lab:nullread", "lab:nullwrite"]) {
    it(`${name}: a finding that blames the caller agrees with the culprit`, async () => {
      for (const [i, report] of (await diagnose(analyzeText(input(name)))).entries()) {
        const text = renderWriteup(report, i, markdownStyle);
        const blames = report.findings.filter((f) => /blame is on the caller/.test(f.summary));
        for (const f of blames) {
          assert.equal(report.culprit?.symbol, f.data?.caller, `${name}: ${f.summary}`);
          assert.match(verdictOf(text), new RegExp(`culprit: ${f.data?.caller}\\b`));
        }
      }
    });
  }

  it("lab nullread: crashed in buggy_read_status, which stays the culprit", async () => {
    const [report] = await diagnose(analyzeText(input("lab:nullread")));
    assert.ok(report);
    const text = renderWriteup(report, 0, markdownStyle);
    assert.match(
      verdictOf(text),
      /in buggy_read_status \[buggy\]; culprit: buggy_read_status \[buggy\]/,
    );
    const nullArgument = report.findings.find((f) => f.id === "null-argument");
    assert.match(nullArgument?.summary ?? "", /buggy_do_nullread \[buggy\] passed NULL \(0x0\)\.$/);
    assert.doesNotMatch(text, /blame is on the caller/);
  });

  it("seed 001: crashed in __free_pages, culprit its caller ceph_aio_read, said once each", async () => {
    const [report] = await diagnose(analyzeText(input("seed:001")));
    assert.ok(report);
    const verdict = verdictOf(renderWriteup(report, 0, markdownStyle));
    assert.match(verdict, /in __free_pages.*; culprit: ceph_aio_read \[ceph\] \(it passed NULL/);
  });
});
