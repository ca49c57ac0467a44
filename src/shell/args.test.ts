/**
 * crash's argument conventions: word splitting with quotes and `( … )` expressions, and
 * getopt-style options with crash's messages for mistakes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseArgs, splitWords } from "./args.js";
import { type ShellCommand, ShellUsageError } from "./command.js";

const command: ShellCommand = {
  name: "bt",
  summary: "backtrace",
  usage: "[-fF] [-c cpu]",
  options: [
    { flag: "f", description: "frames" },
    { flag: "F", description: "frames, symbolic", repeatable: true },
    { flag: "c", value: "cpu", description: "cpu", repeatable: true },
    { flag: "16", description: "16-bit" },
    { flag: "8", description: "8-bit" },
  ],
  help: "",
  run() {},
};

const parse = (line: string) => parseArgs(command, "bt", splitWords(line));

describe("splitWords", () => {
  it("splits on blanks and keeps quoted text and parenthesised expressions whole", () => {
    assert.deepEqual(splitWords("  rd  ffff8bec42af20c0\t4 "), ["rd", "ffff8bec42af20c0", "4"]);
    assert.deepEqual(splitWords(`search -c "two words" 'it''s'`), [
      "search",
      "-c",
      "two words",
      "its",
    ]);
    assert.deepEqual(splitWords("rd (jiffies + 8) 2"), ["rd", "(jiffies + 8)", "2"]);
    assert.deepEqual(splitWords("eval ((1 << 3) | 4)"), ["eval", "((1 << 3) | 4)"]);
    assert.deepEqual(splitWords("struct timer_list.function,expires ffff88102ee1fe58"), [
      "struct",
      "timer_list.function,expires",
      "ffff88102ee1fe58",
    ]);
    assert.deepEqual(splitWords(`echo a\\ b "unterminated`), ["echo", "a b", "unterminated"]);
  });
});

describe("parseArgs", () => {
  it("counts repeated and combined flags (-FF, -fF)", () => {
    const a = parse("-FF 102");
    assert.equal(a.count("F"), 2);
    assert.equal(a.has("f"), false);
    assert.deepEqual(a.positional, ["102"]);
    const b = parse("-fF");
    assert.equal(b.count("f"), 1);
    assert.equal(b.count("F"), 1);
  });
  it("takes values attached or next, and keeps every value of a repeated option", () => {
    assert.equal(parse("-c1").value("c"), "1");
    assert.equal(parse("-c 1").value("c"), "1");
    const a = parse("-c 0 -c1 -f");
    assert.deepEqual(a.values("c"), ["0", "1"]);
    assert.equal(a.value("c"), "1");
    assert.equal(a.has("f"), true);
    assert.equal(parse("-fc2").value("c"), "2");
  });
  it("reads crash's digit words as one option, longest first", () => {
    const a = parse("-16 ffff 4");
    assert.equal(a.has("16"), true);
    assert.equal(a.has("8"), false);
    assert.deepEqual(a.positional, ["ffff", "4"]);
  });
  it("takes options anywhere, as getopt permutes, and stops at --", () => {
    const a = parse("ffff8bec42af20c0 -f 2");
    assert.equal(a.has("f"), true);
    assert.deepEqual(a.positional, ["ffff8bec42af20c0", "2"]);
    const b = parse("-- -f");
    assert.equal(b.has("f"), false);
    assert.deepEqual(b.positional, ["-f"]);
    assert.deepEqual(parse("5 - 3").positional, ["5", "-", "3"]);
  });
  it("stops at the first positional word for commands that take a command line", () => {
    const a = parseArgs({ ...command, optionsFirst: true }, "foreach", ["-f", "bt", "-F"]);
    assert.equal(a.has("f"), true);
    assert.deepEqual(a.positional, ["bt", "-F"]);
  });
  it("throws getopt's messages for unknown options and missing values", () => {
    assert.throws(
      () => parse("-z"),
      (e) => e instanceof ShellUsageError && e.message === "invalid option -- 'z'",
    );
    assert.throws(() => parse("-fz"), /invalid option -- 'z'/);
    assert.throws(() => parse("-1"), /invalid option -- '1'/);
    assert.throws(
      () => parse("-f -c"),
      (e) => e instanceof ShellUsageError && e.message === "option requires an argument -- 'c'",
    );
  });
});
