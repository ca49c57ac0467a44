/**
 * The index file: what is written is read back, records that cannot match are left out, and
 * a file that is not an index is refused with a message naming it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { isCrashlensError } from "../../errors.js";
import { decodeKb, encodeKb } from "./kb-file.js";
import type { KbRecord, KbSource } from "./record.js";

const source: KbSource = {
  kind: "cve",
  from: "test",
  built: "2026-01-01T00:00:00.000Z",
  records: 2,
  withReports: 1,
};
const withReport: KbRecord = {
  id: "CVE-2099-0001",
  subject: "foo: fix a crash in foo_bar()",
  branches: [
    {
      introduced: "6.4",
      introducedCommit: "9270270d6219",
      fixed: "6.6.23",
      fixCommit: "c7dd42fbebcf",
    },
    { introduced: "6.2.15", introducedCommit: "a76eaaaafd8b" },
    { fixed: "4.19.1", fixCommit: "c7dd42fbebcf" },
  ],
  files: ["drivers/foo/foo_main.c"],
  reports: [
    {
      title: "KASAN: use-after-free in foo_irq",
      kind: "kasan",
      frames: [{ symbol: "foo_irq", module: "foo" }, { symbol: "free_irq" }],
    },
  ],
  functions: ["foo_bar"],
};
const unmatchable: KbRecord = { ...withReport, id: "CVE-2099-0002", reports: [], functions: [] };

describe("kb-file", () => {
  it("reads back what it wrote, records parsed on demand", () => {
    const encoded = encodeKb(source, [withReport, unmatchable]);
    let reads = 0;
    const readRecords = () => {
      reads++;
      return encoded.records;
    };
    const file = decodeKb(encoded.lookup, readRecords, "t.lookup.gz");
    assert.equal(
      file.count,
      1,
      "a record with no report and no function in its subject is left out",
    );
    assert.deepEqual(file.postings("foo_irq"), [0]);
    assert.deepEqual(file.postings("foo_bar"), [0]);
    assert.deepEqual(file.postings("foo"), []);
    assert.ok(file.hasModule("foo") && file.hasModule("foo_main") && !file.hasModule("fo"));
    assert.equal(reads, 0, "the records are read only when one is asked for");
    assert.deepEqual(file.record(0), withReport);
    assert.equal(reads, 1);
    assert.deepEqual(file.source, source);
  });

  it("refuses what is not an index, naming the file", () => {
    for (const bytes of [
      Buffer.from("not gzip"),
      gzipSync("{}\n{}\n"),
      gzipSync('{"format":"crashlens-kb","version":99}\n{}\n'),
    ]) {
      assert.throws(
        () => decodeKb(bytes, () => Buffer.alloc(0), "bad.lookup.gz"),
        (e: unknown) =>
          isCrashlensError(e) && e.code === "bad-data" && e.message.startsWith("bad.lookup.gz"),
      );
    }
  });
});
