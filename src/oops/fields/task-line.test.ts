import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTaskLine } from "./task-line.js";

// real lines: realworld 176 (RHEL 8.3), the lab (Debian 6.1), realworld 109 (a 6.19 POWER10)
test("RHEL's kABI marker after the taint flags is not a taint", () => {
  const parsed = parseTaskLine(
    "      Tainted: G           OE    --------- -  - 4.18.0-240.el8.x86_64 #1",
  );
  assert.equal(parsed?.kernel.tainted, "G OE");
  assert.equal(parsed?.kernel.release, "4.18.0-240.el8.x86_64");
  assert.deepEqual(
    parsed?.kernel.taints.map((t) => t.letter),
    ["O", "E"],
  );
});

test("flags without a marker are kept as printed", () => {
  const parsed = parseTaskLine(
    "CPU: 0 PID: 100 Comm: sh Tainted: G           OE      6.1.0-56-cloud-amd64 #1 Debian 6.1.192-2",
  );
  assert.equal(parsed?.kernel.tainted, "G OE");
  assert.equal(parsed?.task.comm, "sh");
});
