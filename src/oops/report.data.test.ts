/**
 * Parser tests as data files: testdata/oops/<arch>/<slug>.txt holds header lines (TITLE,
 * KIND, CULPRIT, CORRUPTED, ARCH, REPORTS, and SOURCE for where the log came from), a blank
 * line, then the log as captured. The harness checks every file's headers against the
 * parser and diagnosis, and invariants on every report. Run with UPDATE_TESTDATA=1 to
 * rewrite the headers from the current output after a deliberate change.
 */
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dataFile } from "../../test/inputs.js";
import { testdata } from "../../test/shared.js";
import { analyzeText } from "../analyze.js";
import { diagnose } from "../diagnose/index.js";

const CHECKED = ["TITLE", "KIND", "CULPRIT", "CORRUPTED", "ARCH", "REPORTS"] as const;
const update = process.env.UPDATE_TESTDATA === "1";
const root = testdata("oops");

async function actual(log: string): Promise<Record<(typeof CHECKED)[number], string>> {
  const reports = await diagnose(analyzeText(log));
  const first = reports[0];
  const culprit = first?.culprit;
  return {
    TITLE: first?.title ?? "",
    KIND: first?.kind ?? "",
    CULPRIT: culprit ? `${culprit.symbol}${culprit.module ? ` [${culprit.module}]` : ""}` : "-",
    CORRUPTED: first?.corrupted ? "Y" : "N",
    ARCH: first?.arch ?? "",
    REPORTS: String(reports.length),
  };
}

describe("report data files", () => {
  for (const arch of readdirSync(root)) {
    for (const name of readdirSync(join(root, arch))) {
      const path = join(root, arch, name);
      it(`${arch}/${name}`, async () => {
        const { headers, log } = dataFile(path);
        const got = await actual(log);
        if (update) {
          const kept = headers.filter(([key]) => !(CHECKED as readonly string[]).includes(key));
          const lines = [...kept, ...CHECKED.map((key) => [key, got[key]] as const)].map(
            ([k, v]) => `${k}: ${v}`,
          );
          writeFileSync(path, `${lines.join("\n")}\n\n${log}`);
          return;
        }
        const expected = Object.fromEntries(headers);
        for (const key of CHECKED) assert.equal(got[key], expected[key], `${key} of ${name}`);
        assert.equal(expected.ARCH, arch, "the file sits in its architecture's folder");
      });
      it(`${arch}/${name}: spans are ordered and parsing again from a span gives the same report`, () => {
        const lines = log(path).split("\n");
        const { reports } = analyzeText(lines.join("\n"));
        let previous = 0;
        for (const report of reports) {
          assert.ok(report.lines.start >= 1 && report.lines.start <= report.lines.end);
          assert.ok(report.lines.end <= lines.length);
          assert.ok(
            report.header.line >= report.lines.start && report.header.line <= report.lines.end,
          );
          assert.ok(report.lines.start >= previous, "reports come in input order");
          previous = report.lines.start;
          const again = analyzeText(lines.slice(report.lines.start - 1).join("\n")).reports[0];
          assert.equal(again?.title, report.title);
          assert.equal(again?.header.text, report.header.text);
        }
      });
    }
  }
});

function log(path: string): string {
  return dataFile(path).log;
}
