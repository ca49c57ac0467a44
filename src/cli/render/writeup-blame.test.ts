/**
 * The write-up blames one function from the head's culprit line to the findings: a finding that puts the
 * blame on a caller is only printed when the head's culprit is that caller (seed 001: ceph
 * passes NULL to the core helper __free_pages), and a NULL passed between two functions of a
 * module leaves the culprit where the crash happened without a finding saying otherwise
 * (lab nullread, the example this repository once shipped).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../../test/inputs.js";
import { analyzeText } from "../../analyze.js";
import { diagnose } from "../../diagnose/index.js";
import { escapeMarkdown, markdownStyle, renderWriteup } from "./writeup.js";

/** the head's lines of a report's write-up (Markdown): "- **where:** …", "- **culprit:** …" */
const fact = (text: string, label: string) =>
  text.split("\n").find((l) => l.startsWith(`- **${label}:** `)) ?? "";

describe("write-up: one culprit from the head to the findings", () => {
  for (const name of ["seed:000", "seed:001", "seed:002", "lab:nullread", "lab:nullwrite"]) {
    it(`${name}: a finding that blames the caller agrees with the culprit`, async () => {
      for (const [i, report] of (await diagnose(analyzeText(input(name)))).entries()) {
        const text = escapeMarkdown(renderWriteup(report, i, markdownStyle));
        const blames = report.findings.filter((f) => /blame is on the caller/.test(f.summary));
        for (const f of blames) {
          assert.equal(report.culprit?.symbol, f.data?.caller, `${name}: ${f.summary}`);
          assert.match(fact(text, "culprit"), new RegExp(`\\*\\*${f.data?.caller}\\b`));
        }
      }
    });
  }

  it("lab nullread: crashed in buggy_read_status, which stays the culprit", async () => {
    const [report] = await diagnose(analyzeText(input("lab:nullread")));
    assert.ok(report);
    const text = escapeMarkdown(renderWriteup(report, 0, markdownStyle));
    assert.match(
      fact(text, "where"),
      /^- \*\*where:\*\* buggy_read_status\+0x\w+\/0x\w+ \\\[buggy\\\]/,
    );
    assert.match(
      fact(text, "culprit"),
      /^- \*\*culprit:\*\* \*\*buggy_read_status \\\[buggy\\\]\*\* — /,
    );
    const nullArgument = report.findings.find((f) => f.id === "null-argument");
    assert.match(nullArgument?.summary ?? "", /buggy_do_nullread \[buggy\] passed NULL \(0x0\)\.$/);
    assert.doesNotMatch(text, /blame is on the caller/);
  });

  it("seed 001: crashed in __free_pages, culprit its caller ceph_aio_read, said once each", async () => {
    const [report] = await diagnose(analyzeText(input("seed:001")));
    assert.ok(report);
    const text = escapeMarkdown(renderWriteup(report, 0, markdownStyle));
    assert.match(fact(text, "where"), /^- \*\*where:\*\* __free_pages\+0x5\b/);
    assert.match(
      fact(text, "culprit"),
      /^- \*\*culprit:\*\* \*\*ceph_aio_read \\\[ceph\\\]\*\* — it passed NULL to __free_pages/,
    );
    assert.equal(text.match(/it passed NULL to __free_pages, a core helper/g)?.length, 1);
  });
});
