/**
 * The source position and function a BUG()/WARN() header names, on real logs: the lab's
 * x86-64 WARNING in a module, an ARM32 WARNING whose stack has no heading (the header is
 * the one place that names do_exit), and a 3.0-era `WARNING: at file:line func()`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { dataFile } from "../../test/inputs.js";
import { testdata } from "../../test/shared.js";
import { analyzeText } from "../analyze.js";

const realworld = (prefix: string) => {
  const file = readdirSync(testdata("realworld")).find(
    (f) => f.startsWith(prefix) && f.endsWith(".txt"),
  );
  assert.ok(file, prefix);
  return readFileSync(testdata("realworld", file), "utf8");
};
const warningOf = (text: string) =>
  analyzeText(text).reports.find((r) => r.kind === "warning")?.assertion;

describe("oops: the assertion a header names", () => {
  it("a module's WARNING: file, line, function with its clone suffix, module", () => {
    const log = dataFile(testdata("oops", "x86_64", "lab-warn.txt")).log;
    assert.deepEqual(warningOf(log), {
      file: "drivers/misc/buggy/buggy.c",
      line: 210,
      function: "buggy_validate.constprop.0",
      module: "buggy",
    });
  });

  it("an ARM32 WARNING (stack without a heading): the header's function", () => {
    assert.deepEqual(warningOf(realworld("118-")), {
      file: "kernel/exit.c",
      line: 812,
      function: "do_exit",
    });
  });

  it("a 3.0-era `WARNING: at file:line func()` header", () => {
    assert.deepEqual(warningOf(realworld("204-")), {
      file: "lib/dma-debug.c",
      line: 800,
      function: "check_unmap",
    });
  });

  it("`kernel BUG at` names no function: file and line only", () => {
    const log = dataFile(testdata("oops", "x86_64", "lab-bugon.txt")).log;
    const bug = analyzeText(log).reports.find((r) => r.kind === "kernel-bug")?.assertion;
    assert.ok(bug?.file && bug.line > 0);
    assert.equal(bug.function, undefined);
  });
});
