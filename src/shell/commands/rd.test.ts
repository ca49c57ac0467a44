/**
 * `rd`'s line shapes on bytes given in code: the ASCII column's position for every value size
 * (crash pads a short last line so the column stays put), decimal widths, and `-a` strings.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatAscii, formatValues } from "./rd.js";

const A = 0xffff88103f20b7c0n;
const bytes = Uint8Array.from({ length: 40 }, (_, i) => 0x41 + i);
const hex = (size: 1 | 2 | 4 | 8) => ({
  size,
  format: "hex" as const,
  symbolic: false,
  ascii: true,
  netEndian: false,
});

describe("rd lines", () => {
  it("puts the ASCII column at crash's position for each size", () => {
    for (const size of [1, 2, 4, 8] as const) {
      const text = formatValues(A, bytes.subarray(0, 16 + size), hex(size), undefined, 10);
      const [full, short] = text.split("\n");
      // 16 address digits, ":  ", the values, then two blanks: the column is at the same place
      assert.equal(
        (full as string).indexOf("ABCD"),
        (short as string).indexOf("Q"),
        `size ${size}`,
      );
      assert.equal((full as string).length, 16 + 3 + (16 / size) * (size * 2 + 1) + 2 + 16);
    }
  });
  it("prints the seed session's line", () => {
    const word = new Uint8Array(8);
    new DataView(word.buffer).setBigUint64(0, 0xffff8807deb08000n, true);
    assert.equal(
      formatValues(A, word, hex(8), undefined, 10),
      "ffff88103f20b7c0:  ffff8807deb08000                    ........\n",
    );
  });
  it("uses crash's decimal widths and no ASCII column", () => {
    const word = new Uint8Array(8).fill(0xff);
    const signed = { ...hex(8), format: "signed" as const };
    const unsigned = { ...hex(8), format: "unsigned" as const };
    assert.equal(
      formatValues(A, word, signed, undefined, 10),
      `ffff88103f20b7c0:  ${"-1".padStart(15)} \n`,
    );
    assert.equal(
      formatValues(A, word, unsigned, undefined, 10),
      "ffff88103f20b7c0:  18446744073709551615 \n",
    );
  });
  it("prints strings 60 characters to a line, each line at its own address", () => {
    const text = new TextEncoder().encode(`${"x".repeat(70)}\0tail`);
    assert.equal(
      formatAscii(A, text, true),
      `ffff88103f20b7c0:  ${"x".repeat(60)}\nffff88103f20b7fc:  ${"x".repeat(10)}\n`,
    );
    assert.equal(
      formatAscii(A, text, false),
      `ffff88103f20b7c0:  ${"x".repeat(60)}\nffff88103f20b7fc:  ${"x".repeat(10)}\nffff88103f20b807:  tail\n`,
    );
    assert.equal(formatAscii(A, new Uint8Array(4), true), "");
  });
});
