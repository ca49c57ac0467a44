/**
 * crash's expressions and number words, and `eval`'s output block (the shapes in the seed
 * session 000 and crash's own examples).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatEval } from "./commands/eval.js";
import { evaluate, parseHexAddress, parseNumber } from "./expression.js";

const symbols: Record<string, bigint> = { jiffies: 0xffffffffa32079c0n, "ratelimit.1": 0x1000n };
const ev = (text: string) => evaluate(text, (name) => symbols[name]);

describe("number words", () => {
  it("reads 0x as hex, digits as decimal, digits with a-f as hex, k/m/g as multipliers", () => {
    assert.equal(parseNumber("0x10"), 16n);
    assert.equal(parseNumber("10"), 10n);
    assert.equal(parseNumber("1e"), 0x1en);
    assert.equal(parseNumber("ffff88103f200000"), 0xffff88103f200000n);
    assert.equal(parseNumber("128m"), 128n << 20n);
    assert.equal(parseNumber("4G"), 4n << 30n);
    assert.equal(parseNumber("1k"), 1024n);
    assert.equal(parseNumber("jiffies"), undefined);
    assert.equal(parseNumber("1t"), undefined);
  });
  it("reads addresses as hex always", () => {
    assert.equal(parseHexAddress("100"), 0x100n);
    assert.equal(parseHexAddress("0xffffffff81000000"), 0xffffffff81000000n);
    assert.equal(parseHexAddress("jiffies"), undefined);
    assert.equal(parseHexAddress("10000000000000000"), undefined);
  });
});

describe("evaluate", () => {
  it("follows C precedence with 64-bit wrap-around", () => {
    assert.equal(ev("ffff88103f200000 + 0xb7c0"), 0xffff88103f20b7c0n);
    assert.equal(ev("(1 << 20) + 1024"), 0x100400n);
    assert.equal(ev("1 + 2 * 3"), 7n);
    assert.equal(ev("(1 + 2) * 3"), 9n);
    assert.equal(ev("7 % 4 | 8 ^ 1 & 3"), 3n | (8n ^ (1n & 3n)));
    assert.equal(ev("~0"), 0xffffffffffffffffn);
    assert.equal(ev("0 - 1"), 0xffffffffffffffffn);
    assert.equal(ev("-1 >> 60"), 0xfn);
    assert.equal(ev("1 << 64"), 0n);
    assert.equal(ev("4g / 0x100"), 0x1000000n);
  });
  it("stands symbols for their addresses, names with dots included", () => {
    assert.equal(ev("jiffies + 8"), 0xffffffffa32079c8n);
    assert.equal(ev("ratelimit.1"), 0x1000n);
  });
  it("says what is wrong", () => {
    assert.throws(() => ev("1t"), /symbol not found: 1t/);
    assert.throws(() => ev("nosuch + 1"), /symbol not found: nosuch/);
    assert.throws(() => ev("1 +"), /invalid expression: 1 \+/);
    assert.throws(() => ev("(1"), /invalid expression/);
    assert.throws(() => ev("1 2"), /invalid expression/);
    assert.throws(() => ev("1 / 0"), /divide by zero/);
    assert.throws(() => ev(""), /invalid expression/);
  });
});

describe("eval's block", () => {
  it("prints the seed session's value as crash did", () => {
    assert.equal(
      formatEval(0xffff88103f20b7c0n, false),
      "hexadecimal: ffff88103f20b7c0  \n" +
        "    decimal: 18446612202092804032  (-131871616747584)\n" +
        "      octal: 1777774201007710133700\n" +
        "     binary: 1111111111111111100010000001000000111111001000001011011111000000\n",
    );
  });
  it("adds the KB/MB/GB shorthand and the bits set", () => {
    assert.match(
      formatEval(0x100400n, false),
      /^hexadecimal: 100400 {2}\(1025KB\)\n {4}decimal: 1049600 {2}\n/,
    );
    assert.match(formatEval(1n << 40n, false), /^hexadecimal: 10000000000 {2}\(1024GB\)\n/);
    assert.match(formatEval(128n << 20n, false), /\(128MB\)/);
    assert.match(formatEval(1000n, false), /^hexadecimal: 3e8 {2}\n/);
    assert.equal(formatEval(0x70n, true).split("\n")[4], "   bits set: 6 5 4 ");
  });
});
