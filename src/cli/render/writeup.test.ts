/**
 * The write-up shows the evidence of every finding it states: each line a finding cites is
 * printed in the Evidence section, for every seed and lab report.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../../test/inputs.js";
import { analyzeText } from "../../analyze.js";
import { diagnose } from "../../diagnose/index.js";
import { markdownStyle, renderWriteup } from "./writeup.js";

const names = [
  ...["000", "001", "002", "003", "004"].map((n) => `seed:${n}`),
  ...[
    "bugon",
    "divzero",
    "gpf",
    "hung",
    "listdel",
    "nullread",
    "nullwrite",
    "softlockup",
    "warn",
  ].map((n) => `lab:${n}`),
];

describe("write-up evidence", () => {
  for (const name of names) {
    it(`${name}: every cited line is shown`, async () => {
      const reports = await diagnose(analyzeText(input(name)));
      assert.ok(reports.length > 0);
      for (const [i, report] of reports.entries()) {
        const text = renderWriteup(report, i, markdownStyle);
        const cited = report.findings.flatMap((f) => f.evidence.map((e) => e.line));
        assert.ok(cited.length > 0, `${name} #${i + 1} cites nothing`);
        for (const line of cited) {
          assert.match(
            text,
            new RegExp(`^line {0,5}${line}: `, "m"),
            `${name} #${i + 1}: line ${line}`,
          );
        }
      }
    });
  }
});
