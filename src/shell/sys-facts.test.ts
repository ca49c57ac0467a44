/**
 * Where `sys` finds its PANIC string in a log: the last "Kernel panic - not syncing" line,
 * else the first line of the report that led to the dump.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PrintkRecord } from "../kernel/printk/types.js";
import { findPanicMessage } from "./sys-facts.js";

const log = (...texts: string[]): PrintkRecord[] =>
  texts.map((text) => ({ timestampNs: 0n, text }));

describe("findPanicMessage", () => {
  it("takes the last panic line over the report before it", () => {
    assert.equal(
      findPanicMessage(
        log(
          "BUG: kernel NULL pointer dereference, address: 0000000000000140",
          "Kernel panic - not syncing: Fatal exception in interrupt",
          "Kernel panic - not syncing: Fatal exception",
        ),
      ),
      "Kernel panic - not syncing: Fatal exception",
    );
  });
  it("falls back to the first report line, then to nothing", () => {
    assert.equal(
      findPanicMessage(log("ok", "sysrq: Trigger a crash", "BUG: unable to handle page fault")),
      "sysrq: Trigger a crash",
    );
    assert.equal(
      findPanicMessage(
        log("general protection fault, probably for non-canonical address", "Oops: 0000"),
      ),
      "general protection fault, probably for non-canonical address",
    );
    assert.equal(findPanicMessage(log("Linux version 6.1", "all quiet")), undefined);
  });
  it("quotes only the first line of a multi-line record, without trailing blanks", () => {
    assert.equal(
      findPanicMessage(log("Kernel panic - not syncing: x  \nmore")),
      "Kernel panic - not syncing: x",
    );
  });
});
