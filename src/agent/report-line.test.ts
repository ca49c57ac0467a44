/**
 * What an agent prints: a line per file naming the report, the cluster and whether it is new,
 * hostile titles and file names shown as visible escapes (never acted on by the terminal), and
 * the summary's counts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failureLine, resultLine, Tally } from "./report-line.js";

const HOSTILE = "BUG: \x1b[2J\x1b]0;pwned\x07 in \u202eevil\u202c \x9b31m <script>";

describe("agent output lines", () => {
  it("names each report, its cluster and whether the server had it", () => {
    const line = resultLine("/var/crash/a.log", {
      found: 2,
      reports: [
        {
          id: 12,
          cluster: 3,
          duplicate: false,
          title: "BUG: kernel NULL pointer dereference",
          kind: "oops",
        },
        { id: 9, cluster: 2, duplicate: true, title: "WARNING in foo", kind: "warning" },
      ],
    });
    assert.equal(
      line,
      "/var/crash/a.log: report 12 (cluster 3, new): BUG: kernel NULL pointer dereference | " +
        "report 9 (cluster 2, duplicate): WARNING in foo",
    );
    assert.equal(
      resultLine("x.txt", { found: 0, reports: [], message: "no crash report found in the input" }),
      "x.txt: no crash report found in the input",
    );
  });

  it("shows a hostile title and file name as escapes, with nothing a terminal would act on", () => {
    const line = resultLine(`crash-\x1b[1mbold`, {
      found: 1,
      reports: [{ id: 1, cluster: 1, duplicate: false, title: HOSTILE, kind: "oops" }],
    });
    assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    assert.ok(line.includes("\\x1b[2J"));
    assert.ok(line.includes("\\u202eevil\\u202c"));
    assert.ok(line.includes("\\x9b31m"));
    assert.ok(line.startsWith("crash-\\x1b[1mbold: "));
    // HTML is not a terminal's business: kept as it is
    assert.ok(line.includes("<script>"));
    assert.doesNotMatch(failureLine("f", `server said ${HOSTILE}`), /[\x1b\x07\x9b\u202e]/);
  });

  it("sums up files, reports, duplicates, empty inputs and failures", () => {
    const tally = new Tally();
    tally.add({
      found: 1,
      reports: [{ id: 1, cluster: 1, duplicate: false, title: "t", kind: "k" }],
    });
    tally.add({
      found: 1,
      reports: [{ id: 1, cluster: 1, duplicate: true, title: "t", kind: "k" }],
    });
    tally.add({ found: 0, reports: [] });
    tally.fail();
    assert.equal(
      tally.summary(),
      "4 files: 2 reports (1 new, 1 duplicate), 1 without a crash report, 1 failed",
    );
  });
});
