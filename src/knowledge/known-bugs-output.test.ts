/**
 * Known bugs in `analyze`'s outputs: `reports[].knownBugs` in JSON, a "Known bugs" section in
 * the write-up (text and Markdown), and one line on the default screen for an `exact` or
 * `likely` match only. The index is one record made here from seed 002's own report.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { cli } from "../../test/cli.js";
import { input } from "../../test/inputs.js";
import { parseText } from "../oops/parse.js";
import { decodeKb, encodeKb } from "./kb/kb-file.js";
import { KnowledgeBase } from "./kb/knowledge-base.js";
import type { KbRecord } from "./kb/record.js";
import { resetKnowledgeBase } from "./known-bugs.js";
import { signatureOf } from "./signature.js";

function indexOf(record: KbRecord): KnowledgeBase {
  const source = {
    kind: "cve" as const,
    from: "test",
    built: "2026-01-01T00:00:00.000Z",
    records: 1,
    withReports: 1,
  };
  const encoded = encodeKb(source, [record]);
  return new KnowledgeBase([decodeKb(encoded.lookup, () => encoded.records, "test")]);
}

describe("known bugs in analyze's output", () => {
  const log = input("seed:002");
  const report = parseText(log).reports[0];
  assert.ok(report);
  const record: KbRecord = {
    id: "CVE-2099-0002",
    subject: "mptcp: fix a NULL dereference in skb_entail()",
    branches: [
      {
        introduced: "3.6",
        introducedCommit: "aaaaaaaaaaaa",
        fixed: "3.10.1",
        fixCommit: "bbbbbbbbbbbb",
      },
    ],
    files: ["net/ipv4/tcp.c"],
    reports: [signatureOf(report)],
    functions: ["skb_entail"],
  };
  before(() => resetKnowledgeBase(indexOf(record)));
  after(() => resetKnowledgeBase());

  it("JSON: knownBugs with id, confidence, verdict, fix and reasons", async () => {
    const run = await cli(["analyze", "--json", "-"], { stdin: log });
    const [bug] = JSON.parse(run.stdout).reports[0].knownBugs;
    assert.equal(bug.id, "CVE-2099-0002");
    assert.equal(bug.confidence, "exact");
    assert.equal(typeof bug.score, "number");
    // 3.10.0-327.36.1.el7: Red Hat's kernel, whose backports only its changelog knows
    assert.equal(bug.verdict, "unknown");
    assert.match(bug.verdictReason, /RHEL.*changelog/);
    assert.deepEqual(bug.fix, { commit: "bbbbbbbbbbbb", version: "3.10.1" });
    assert.deepEqual(bug.fixedIn, ["3.10.1"]);
    assert.deepEqual(bug.introducedIn, ["3.6"]);
    assert.ok(bug.matched.length > 0);
  });

  it("the default screen: one line", async () => {
    const run = await cli(["analyze", "-"], { stdin: log });
    const lines = run.stdout.split("\n").filter((l) => l.includes("CVE-2099-0002"));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] as string,
      /known: +CVE-2099-0002 \(exact\) mptcp: .*fix bbbbbbbbbbbb in 3\.10\.1; this kernel: unknown/,
    );
  });

  it("the write-up and Markdown: a Known bugs section", async () => {
    const text = (await cli(["analyze", "-v", "-"], { stdin: log })).stdout;
    assert.match(
      text,
      /Known bugs\n {3}1\. CVE-2099-0002 mptcp: fix a NULL dereference in skb_entail\(\) \[exact, score \d+\]/,
    );
    assert.match(text, /verdict: unknown — RHEL kernel based on 3\.10/);
    const md = (await cli(["analyze", "-v", "--format", "markdown", "-"], { stdin: log })).stdout;
    assert.match(md, /### Known bugs\n1\. \*\*CVE-2099-0002\*\*/);
  });

  it("a possible match is not on the default screen", async () => {
    resetKnowledgeBase(
      indexOf({
        ...record,
        reports: [],
        functions: ["skb_entail"],
        subject: "mptcp: tidy skb_entail()",
      }),
    );
    const screen = (await cli(["analyze", "-"], { stdin: log })).stdout;
    assert.doesNotMatch(screen, /CVE-2099-0002/);
    const json = JSON.parse((await cli(["analyze", "--json", "-"], { stdin: log })).stdout);
    assert.equal(json.reports[0].knownBugs[0]?.confidence, "possible");
    resetKnowledgeBase(indexOf(record));
  });
});
