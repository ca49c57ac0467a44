/**
 * Keeps the title engine honest against public answers: syzkaller's report corpus and
 * satyr's parser expectations (read in place from ../shared/corpus, never copied).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shared } from "../test/shared.js";
import { satyr, syzkaller } from "./conformance.js";

describe("conformance", () => {
  it("syzkaller linux-report: ≥ 99% titles, every no-crash file, ≥ 99% corrupted agreement", () => {
    const score = syzkaller(shared("corpus", "syzkaller", "linux-report"), false);
    assert.ok(score.titles >= 0.99, `titles ${score.titles}\n${score.mismatches.join("\n")}`);
    assert.equal(score.noCrash, 1, score.mismatches.join("\n"));
    assert.ok(score.corrupted >= 0.99, `corrupted ${score.corrupted}`);
  });

  it("satyr: taints and modules of every file, first frames of most", () => {
    const score = satyr(shared("corpus", "satyr"), false);
    assert.equal(score.taints, 1);
    assert.ok((score.modules ?? 0) >= 0.9, `modules ${score.modules}`);
    assert.ok((score.first ?? 0) >= 0.75, `first ${score.first}`);
  });
});
