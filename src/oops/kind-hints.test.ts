/**
 * Kinds refined by what the report says beyond its header (KIND_HINTS in build-report.ts) and
 * kinds of format rows, on real pastes from testdata/realworld.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";

const kinds = (name: string) => analyzeText(input(name)).reports.map((r) => r.kind);
const kindOf = (name: string) => kinds(name)[0];

describe("s390 kernel faults", () => {
  it("a failing address in the first page is a NULL dereference (102, 103)", () => {
    assert.equal(kindOf("realworld:102"), "null-deref");
    assert.equal(kindOf("realworld:103"), "null-deref");
  });
  it("...in lower case, under a header a quoted-printable mail wrapped (104)", () => {
    assert.equal(kindOf("realworld:104"), "null-deref");
  });
  it("a failing address elsewhere stays a paging request (105)", () => {
    assert.equal(kindOf("realworld:105"), "paging-request");
  });
});

describe("die() lines without the fault line before them", () => {
  it("arm64 'Internal error: Oops: 0000000096000005': a data abort, translation fault (222)", () => {
    assert.equal(kindOf("realworld:222"), "paging-request");
  });
  it("arm64's 'Internal error: Oops - BUG: 0' stays a kernel BUG, not a page fault (415)", () => {
    assert.equal(kindOf("realworld:415"), "kernel-bug");
  });
  it("x86 'Oops: 0002' with CR2 in the first page: NULL dereference (209)", () => {
    assert.deepEqual(kinds("realworld:209"), ["null-deref"]);
  });
  it("powerpc 'Oops: kernel access of bad area': paging request (126)", () => {
    assert.equal(kindOf("realworld:126"), "paging-request");
  });
  it("arm64 'Internal error: Oops - BUG': kernel BUG (415)", () => {
    assert.equal(kindOf("realworld:415"), "kernel-bug");
  });
  it("arm 'Internal error: Oops - undefined instruction': invalid opcode (135)", () => {
    assert.equal(kindOf("realworld:135"), "invalid-opcode");
  });
  it("arm 'Internal error: Oops: 80d' (a permission fault): paging request (134)", () => {
    assert.equal(kindOf("realworld:134"), "paging-request");
  });
});

describe("powerpc faults name the address", () => {
  it("data access at 0x00000000 is a NULL dereference (125, 140)", () => {
    assert.equal(kindOf("realworld:125"), "null-deref");
    assert.equal(kindOf("realworld:140"), "null-deref");
  });
});

describe("kinds of format rows", () => {
  it("lockdep's pre-4.x '[ INFO: possible recursive locking detected ]' is other (202, 203)", () => {
    assert.equal(kindOf("realworld:202"), "other");
    assert.equal(kindOf("realworld:203"), "other");
  });
  it("lockdep's 'WARNING: possible recursive locking detected' stays a warning (302)", () => {
    assert.equal(kindOf("realworld:302"), "warning");
  });
  it("a stack-protector panic is a panic, not a stack overflow (305)", () => {
    assert.equal(kindOf("realworld:305"), "panic");
  });
  it("a BUG: no row knows takes the BUG group's catch-all kind, not its first row's (409)", () => {
    assert.equal(kindOf("realworld:409"), "other");
  });
  it("'CFI failure at' opens an invalid-opcode report (320)", () => {
    assert.deepEqual(kinds("realworld:320"), ["invalid-opcode"]);
  });
});
