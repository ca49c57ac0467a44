import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLog, timestampPrefix } from "./format.js";

describe("log formatting", () => {
  it("prints timestamps as [%5llu.%06llu]", () => {
    assert.equal(timestampPrefix(0n), "[    0.000000] ");
    assert.equal(timestampPrefix(4_890_974_123n), "[    4.890974] ");
    assert.equal(timestampPrefix(123_456_789_000_000n), "[123456.789000] ");
  });
  it("indents continuation lines (makedumpfile) or not (vmcore-dmesg), escapes control bytes", () => {
    const records = [{ timestampNs: 1_000_000n, text: "a\nb\x1b\xe9\tc" }];
    assert.equal(
      formatLog(records, "makedumpfile"),
      "[    0.001000] a\n               b\\x1b\\xe9\tc\n",
    );
    assert.equal(formatLog(records, "vmcore-dmesg"), "[    0.001000] a\nb\\x1b\\xe9\tc\n");
  });
});
