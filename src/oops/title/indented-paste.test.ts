/**
 * A log pasted into a mail body indented as a whole: the indentation is transport, so the
 * titles must be the ones the same log gets at the margin. testdata/realworld/308 is such a
 * mail, tab-indented (syzkaller's frame patterns allow only spaces before a frame, so a kept
 * tab used to hide every frame and the UBSAN titles read "… in corrupted").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../../test/inputs.js";
import { analyzeText } from "../../analyze.js";

const tabbed = input("realworld:308");
const shapes: Record<string, string> = {
  "tab-indented, as mailed": tabbed,
  "at the margin": tabbed.replace(/^\t/gm, ""),
  "indented with four spaces": tabbed.replace(/^\t/gm, "    "),
};

const expected = [
  "UBSAN: shift-out-of-bounds in tegra_qspi_isr_thread",
  "UBSAN: shift-out-of-bounds in tegra_qspi_isr_thread",
  "KASAN: vmalloc-out-of-bounds Write in tegra_qspi_isr_thread",
  "BUG: unable to handle kernel paging request in tegra_qspi_isr_thread",
];

describe("an indented paste is titled as the log at the margin", () => {
  for (const [shape, text] of Object.entries(shapes)) {
    it(shape, () => {
      const reports = analyzeText(text).reports;
      assert.deepEqual(
        reports.map((r) => r.title),
        expected,
      );
      for (const report of reports) {
        assert.equal(report.corrupted, false, `${report.title}: ${report.corruptedReason}`);
        assert.ok(report.trace.length >= 5, `${report.title}: ${report.trace.length} frames`);
      }
    });
  }
});
