/**
 * Keeps the title engine honest against public answers: syzkaller's report corpus and
 * satyr's parser expectations (read in place from ../shared/corpus, never copied).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shared } from "../test/shared.js";
import { satyr, syzkaller } from "./conformance.js";
import { scoreSquad } from "./squad.js";

describe("conformance", () => {
  it("syzkaller linux-report: ≥ 99% titles, every no-crash file, ≥ 99% corrupted agreement", () => {
    const score = syzkaller(shared("corpus", "syzkaller", "linux-report"), false);
    assert.ok(score.titles >= 0.99, `titles ${score.titles}\n${score.mismatches.join("\n")}`);
    assert.equal(score.noCrash, 1, score.mismatches.join("\n"));
    assert.ok(score.corrupted >= 0.99, `corrupted ${score.corrupted}`);
  });

  it("satyr: taints and modules of every file, the frames of most", () => {
    const score = satyr(shared("corpus", "satyr"), false);
    assert.equal(score.taints, 1);
    assert.equal(score.modules, 1);
    assert.ok((score.first ?? 0) >= 0.9, `first ${score.first}`);
    assert.ok((score.last ?? 0) >= 0.9, `last ${score.last}`);
    // gitlog-06/07 hold only lockdep chains and SLUB alloc/free tracks, which satyr counts and
    // a Report does not keep
    assert.ok((score.full ?? 0) >= 0.92, `full match ${score.full}`);
    // the IRQ/NMI stack of the first and last frame (<IRQ>, <NMI>, <<EOE>>, <EOI>)
    assert.equal(score.stacks, 1);
  });
  it("squad (Linaro's log parser): each case's report found, holding its lines and no more", () => {
    const score = scoreSquad(shared("corpus", "squad"));
    // the two left expect "Oops - BUG: 0 [#1]" in an oops.log that prints [#0] and [#99]
    // out of timestamp order, its header before the "cut here" of the BUG it belongs to
    assert.ok(score.passed >= 14, `${score.passed}/${score.cases}\n${score.misses.join("\n")}`);
  });
});
