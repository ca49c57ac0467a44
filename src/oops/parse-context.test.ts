import assert from "node:assert/strict";
import { test } from "node:test";
import { input } from "../../test/inputs.js";
import { parseText } from "./parse.js";
import { TAINT_ANNOUNCEMENT_WORDS, TAINT_ANNOUNCEMENTS } from "./parse-context.js";

// the kernel's own wording (kernel/module/main.c, staging's message since 2.6.30)
const STAGING =
  "[    7.120321] r8188eu: module is from the staging directory, the quality is unknown, you have been warned.";

test("every announcement holds a word the parser and the fast scanner look for", () => {
  const samples = [
    "nvidia: loading out-of-tree module taints kernel.",
    "zfs: module license 'CDDL' taints kernel.",
    "vboxdrv: module verification failed: signature and/or required key missing - tainting kernel",
    STAGING,
  ];
  for (const [i, line] of samples.entries()) {
    assert.ok(TAINT_ANNOUNCEMENTS[i]?.pattern.test(line), line);
    assert.ok(
      TAINT_ANNOUNCEMENT_WORDS.some((w) => line.includes(w)),
      `no loud word in: ${line}`,
    );
  }
});

test("an announcement printed long before a report is kept as evidence, other lines are not", () => {
  // realworld 348 begins with "nvidia: loading out-of-tree module taints kernel."; a staging
  // line put in front of it is kept too, and a plain boot line is not
  const text = `${STAGING}\n[    7.2] usbcore: registered new interface driver r8188eu\n${input("realworld:348")}`;
  const { lines, reports } = parseText(text);
  assert.equal(lines.get(1), STAGING);
  assert.equal(lines.has(2), false);
  assert.ok(reports.length > 0);
});
