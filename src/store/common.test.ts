/**
 * What both stores share: the paging bounds, the search's words, the time format, and the PostgreSQL store's escape for U+0000 (a property test).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { indexTokens, isoTime, MAX_LIMIT, page, searchTokens } from "./common.js";
import { escapeText, fromRow, toParam, unescapeText } from "./pg-text.js";

describe("store/common", () => {
  it("pages: 50 by default, at most 1000, never negative or NaN", () => {
    assert.deepEqual(page({}), { limit: 50, offset: 0 });
    assert.deepEqual(page({ limit: 5000, offset: 7.9 }), { limit: MAX_LIMIT, offset: 7 });
    assert.deepEqual(page({ limit: -3, offset: -1 }), { limit: 0, offset: 0 });
    assert.deepEqual(page({ limit: Number.NaN, offset: Number.NaN }), { limit: 50, offset: 0 });
  });

  it("a search's words: letters and digits, lower case, no diacritics; blank is no search", () => {
    assert.equal(searchTokens(undefined), undefined);
    assert.equal(searchTokens(" \t\n"), undefined);
    assert.deepEqual(searchTokens("%%% ;--"), []);
    assert.deepEqual(searchTokens("vfio_dma_do_unmap+0x1a/0x2b VFIO"), [
      "vfio",
      "dma",
      "do",
      "unmap",
      "0x1a",
      "0x2b",
    ]);
    assert.deepEqual(searchTokens("Çafé <script>alert(1)</script>"), [
      "cafe",
      "script",
      "alert",
      "1",
    ]);
    assert.deepEqual(indexTokens(["a b", "b c", "x".repeat(20)], 100, 10), ["a", "b", "c"]);
    // 4 bytes of overhead a word: two of four letters fit in 16 bytes, not three
    assert.deepEqual(indexTokens(["aaaa bbbb cccc"], 16, 10), ["aaaa", "bbbb"]);
    // counted in UTF-8 bytes: "ßß" is 4
    assert.deepEqual(indexTokens(["ßß ßß ab"], 8, 10), ["ßß"]);
  });

  it("times in toISOString's format; a non-time refused", () => {
    assert.equal(isoTime("2026-11-01"), "2026-11-01T00:00:00.000Z");
    assert.equal(isoTime("2026-11-01T02:00:00+02:00"), "2026-11-01T00:00:00.000Z");
    assert.throws(() => isoTime("soon"), /not a time/);
  });

  it("the PostgreSQL text escape: no U+0000 left, reversible, equal iff equal", () => {
    const text = fc.string({ unit: fc.constantFrom("\0", "\uffff", "0", "a", "é") });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const [ea, eb] = [escapeText(a), escapeText(b)];
        assert.ok(!ea.includes("\0"));
        assert.equal(unescapeText(ea), a);
        assert.equal(ea === eb, a === b);
      }),
    );
    const value = { "k\0": ["v\0", { deep: "\uffff0" }], n: 1, nil: null };
    assert.deepEqual(fromRow(JSON.parse(toParam(value) as string)), value);
    assert.doesNotMatch(toParam(value) as string, /\\u0000/);
  });
});
