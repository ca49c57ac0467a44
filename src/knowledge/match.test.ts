/**
 * The matcher's rules on a small index made here from the lab's real reports: what varies
 * between machines does not matter, inlining moves the crash by a frame, generic stacks and
 * deliberate crashes match nothing, out-of-tree code is capped at `possible`, and the
 * confidence follows the evidence.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { parseText } from "../oops/parse.js";
import type { Report } from "../oops/report.js";
import { decodeKb, encodeKb } from "./kb/kb-file.js";
import { KnowledgeBase } from "./kb/knowledge-base.js";
import type { KbRecord, QuotedReport } from "./kb/record.js";
import { matchReport } from "./match.js";
import { canonicalSymbol, isGenericFrame, signatureOf } from "./signature.js";

function indexOf(records: KbRecord[]): KnowledgeBase {
  const source = {
    kind: "cve" as const,
    from: "t",
    built: "2026-01-01T00:00:00Z",
    records: records.length,
    withReports: records.length,
  };
  const encoded = encodeKb(source, records);
  return new KnowledgeBase([decodeKb(encoded.lookup, () => encoded.records, "t")]);
}

function record(
  id: string,
  reports: QuotedReport[],
  subject = "x: fix a bug",
  functions: string[] = [],
): KbRecord {
  return {
    id,
    subject,
    branches: [{ introduced: "5.10", fixed: "6.1.193", fixCommit: "bbbbbbbbbbbb" }],
    files: [],
    reports,
    functions,
  };
}

/** The first report of a lab log, its module made in-tree (no taint flags) unless `keep`. */
function lab(name: string, keep = false): Report {
  const report = parseText(input(`lab:${name}`)).reports[0] as Report;
  if (!keep) report.modules = report.modules.map((m) => ({ name: m.name }));
  return report;
}

/** The lab GPF's signature as a record would quote it, with the module renamed in-tree. */
const gpf = signatureOf(lab("gpf"));

describe("matchReport", () => {
  it("finds a record from the same bug printed by another machine, exact", () => {
    const kb = indexOf([
      record("A", [gpf]),
      record("B", [{ ...gpf, frames: gpf.frames.slice(2) }]),
    ]);
    const other = parseText(
      input("lab:gpf")
        .replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, "+0x11/0x99")
        .replace(/PID: \d+/g, "PID: 4242")
        .replace(/^.*\] \s*\? .*$/gm, ""),
    ).reports[0] as Report;
    other.modules = [];
    const [best] = matchReport(kb, other);
    assert.equal(best?.record.id, "A");
    assert.equal(best?.confidence, "exact");
  });

  it("the crashing function inlined into its caller is still found", () => {
    const inlined: QuotedReport = {
      ...gpf,
      frames: [{ symbol: "buggy_first_helper", module: "buggy" }, ...gpf.frames],
    };
    const kb = indexOf([record("A", [inlined])]);
    const [best] = matchReport(kb, lab("gpf"));
    assert.equal(best?.record.id, "A");
    assert.ok(best?.matched.some((m) => /a frame apart \(inlining\)/.test(m)));
  });

  it("a crash in a module flagged out-of-tree is never above possible", () => {
    const kb = indexOf([record("A", [gpf])]);
    const [best] = matchReport(kb, lab("gpf", true));
    assert.equal(best?.confidence, "possible");
    assert.ok(best?.matched.some((m) => /capped at possible: .* module buggy/.test(m)));
  });

  it("a stack of generic frames alone brings no candidate", () => {
    const generic: QuotedReport = {
      title: "WARNING in vfs_write",
      kind: "warning",
      frames: ["proc_reg_write", "vfs_write", "write"].map((symbol) => ({ symbol })),
    };
    // many records naming the same generic frames make them unspecific
    const kb = indexOf(Array.from({ length: 200 }, (_, i) => record(`G${i}`, [generic])));
    assert.deepEqual(matchReport(kb, lab("gpf")), []);
  });

  it("SysRq-c and OOM kills match nothing", () => {
    const kb = indexOf([record("A", [signatureOf(lab("sysrq")), signatureOf(lab("oom"))])]);
    assert.deepEqual(matchReport(kb, lab("sysrq")), []);
    assert.deepEqual(matchReport(kb, lab("oom")), []);
  });

  it("a subject naming the crashing function, in words that fit the kind, is likely", () => {
    // the fixes touch drivers/misc/buggy.c: module buggy is code the records know
    const files = ["drivers/misc/buggy.c"];
    const kb = indexOf([
      {
        ...record("S", [], "buggy: fix a NULL pointer dereference in buggy_read_status()", [
          "buggy_read_status",
        ]),
        files,
      },
      { ...record("T", [], "buggy: tidy buggy_read_status()", ["buggy_read_status"]), files },
    ]);
    const found = matchReport(kb, lab("nullread"));
    assert.deepEqual(
      found.map((c) => [c.record.id, c.confidence]),
      [
        ["S", "likely"],
        ["T", "possible"],
      ],
    );
  });

  it("another kind of report in the same function is not more than likely", () => {
    const kb = indexOf([
      record("A", [{ ...gpf, kind: "warning", title: "WARNING in buggy_next_val" }]),
    ]);
    const [best] = matchReport(kb, lab("gpf"));
    assert.notEqual(best?.confidence, "exact");
  });
});

describe("signature", () => {
  it("drops compiler clone suffixes and syscall-wrapper prefixes", () => {
    assert.equal(canonicalSymbol("buggy_next_val.constprop.0"), "buggy_next_val");
    assert.equal(canonicalSymbol("kasan_report.cold"), "kasan_report");
    assert.equal(canonicalSymbol("foo.isra.3.part.1"), "foo");
    assert.equal(canonicalSymbol("__x64_sys_write"), "sys_write");
  });
  it("knows machinery frames", () => {
    for (const f of [
      "entry_SYSCALL_64_after_hwframe",
      "do_syscall_64",
      "kthread",
      "__schedule",
      "dump_stack_lvl",
      "kasan_report",
      "__wait_for_common",
      "out_of_memory",
    ])
      assert.ok(isGenericFrame(f), f);
    assert.ok(!isGenericFrame("buggy_next_val"));
  });
  it("a report's signature: the crashing function first, no `?` frames, no machinery", () => {
    assert.deepEqual(
      gpf.frames.map((f) => f.symbol),
      ["buggy_next_val", "buggy_write", "proc_reg_write", "vfs_write", "write"],
    );
  });
});
