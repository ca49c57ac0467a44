/**
 * A loop over reads that never wait must still hear a cancel: `checkpoint` gives the event
 * loop a turn, so a timer (or a Ctrl-C keypress) can abort it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkpoint } from "./cancel.js";

describe("checkpoint", () => {
  it("lets a busy loop be cancelled from the event loop", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const start = Date.now();
    while (!(await checkpoint(controller.signal))) {
      // busy: a resolved promise per item never yields to timers by itself
      await Promise.resolve();
      if (Date.now() - start > 5000) assert.fail("the loop never heard the cancel");
    }
    assert.ok(Date.now() - start < 1000);
  });
});
