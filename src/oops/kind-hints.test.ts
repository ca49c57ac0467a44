/**
 * Kinds refined by what the report says beyond its header (KIND_HINTS in build-report.ts),
 * on real pastes from testdata/realworld.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";

const kindOf = (name: string) => analyzeText(input(name)).reports[0]?.kind;

describe("s390 kernel faults", () => {
  it("a failing address in the first page is a NULL dereference (102, 103)", () => {
    assert.equal(kindOf("realworld:102"), "null-deref");
    assert.equal(kindOf("realworld:103"), "null-deref");
  });
  it("a failing address elsewhere stays a paging request (105)", () => {
    assert.equal(kindOf("realworld:105"), "paging-request");
  });
});
