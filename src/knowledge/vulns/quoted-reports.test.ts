/**
 * Reports quoted in a fix message, in the shapes commit messages quote them: as printed,
 * indented with a tab, timestamps edited to `[]`, wrapped by a mailer, run through
 * decode_stacktrace.sh, a headline alone, a stack without its headline, bare names. The
 * report is the lab's real general protection fault (testdata/oops), the prose our own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../../test/inputs.js";
import { quotedReports, subjectFunctions } from "./quoted-reports.js";

/** The lab's GPF report lines, from its header to the end of its trace. */
function gpfLines(): string[] {
  const lines = input("lab:gpf").split("\n");
  const start = lines.findIndex((l) => l.includes("general protection fault"));
  const end = lines.findIndex((l, i) => i > start && l.includes("entry_SYSCALL_64_after_hwframe"));
  return lines.slice(start, end + 1);
}

const expected = ["buggy_next_val", "buggy_write", "proc_reg_write", "vfs_write", "write"];

function framesOf(message: string): string[] {
  const [report] = quotedReports(message);
  return report?.frames.map((f) => f.symbol) ?? [];
}

describe("quotedReports", () => {
  it("reads a report quoted as printed, with its module", () => {
    const [report] = quotedReports(`The driver crashes:\n\n${gpfLines().join("\n")}\n\nFix it.`);
    assert.equal(report?.kind, "general-protection");
    assert.equal(report?.title, "general protection fault in buggy_next_val");
    assert.deepEqual(report?.frames.slice(0, 2), [
      { symbol: "buggy_next_val", module: "buggy" },
      { symbol: "buggy_write", module: "buggy" },
    ]);
  });

  it("reads it indented with a tab", () => {
    assert.deepEqual(
      framesOf(
        gpfLines()
          .map((l) => `\t${l}`)
          .join("\n"),
      ),
      expected,
    );
  });

  it("reads it quoted in a mail reply (`> `)", () => {
    assert.deepEqual(
      framesOf(
        gpfLines()
          .map((l) => `> ${l}`)
          .join("\n"),
      ),
      expected,
    );
  });

  it("reads it with timestamps edited to []", () => {
    const edited = gpfLines().map((l) => l.replace(/^\[[^\]]*\]/, "  []"));
    assert.deepEqual(framesOf(edited.join("\n")), expected);
  });

  it("reads it wrapped by a mailer at 72 columns", () => {
    const wrapped = gpfLines().flatMap((l) =>
      l.length > 72 ? [l.slice(0, 72), l.slice(72)] : [l],
    );
    assert.deepEqual(framesOf(wrapped.join("\n")), expected);
  });

  it("reads a trace run through decode_stacktrace.sh", () => {
    const decoded = gpfLines().map((l) =>
      l.replace(
        /^(\[[^\]]*\]\s+)(\??\s*)([\w.]+)\+0x[0-9a-f]+\/0x[0-9a-f]+( \[\w+\])?$/,
        "$1$2$3 (drivers/x/y.c:12)$4",
      ),
    );
    assert.deepEqual(framesOf(decoded.join("\n")).slice(0, 3), expected.slice(0, 3));
  });

  it("reads a headline quoted alone", () => {
    const [report] = quotedReports(
      "KASAN said:\n\nBUG: KASAN: slab-out-of-bounds in foo_handle_txq+0x6ac/0xdb4\nWrite of size 4 at addr c3a61540 by task foo-tx/95\n\nbecause the table is too small.",
    );
    assert.equal(report?.kind, "kasan");
    assert.equal(report?.title, "KASAN: out-of-bounds in foo_handle_txq");
    assert.deepEqual(report?.frames, [{ symbol: "foo_handle_txq" }]);
  });

  it("reads a stack without its headline, and bare names after Call Trace", () => {
    const headless = gpfLines().filter((l) => !l.includes("general protection fault"));
    assert.deepEqual(framesOf(headless.join("\n")).slice(0, 2), ["buggy_next_val", "buggy_write"]);
    const bare = "Call Trace:\n  foo_alloc_ring\n  foo_setup_tx\n  foo_open\n";
    assert.deepEqual(framesOf(bare), ["foo_alloc_ring", "foo_setup_tx", "foo_open"]);
  });

  it("finds nothing in prose", () => {
    assert.deepEqual(quotedReports("This fixes a BUG: the counter could wrap.\nNo trace."), []);
  });
});

describe("subjectFunctions", () => {
  it("names functions with () and snake_case words of the summary, not the prefixes", () => {
    assert.deepEqual(subjectFunctions("wifi: mt76: mt7921e: fix use-after-free in free_irq()"), [
      "free_irq",
    ]);
    assert.deepEqual(subjectFunctions("net_sched: fix NULL deref in tcp_v4_rcv"), ["tcp_v4_rcv"]);
    assert.deepEqual(subjectFunctions("ext4: fix a use_after_free"), []);
  });
});
