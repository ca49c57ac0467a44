/**
 * The LZO1X encoder: round trips through our decoder over real kernel pages (every committed
 * fixture dump) and generated data that reaches every instruction kind and length extension.
 * That real liblzo accepts the output is lzo1x.conformance.test.ts's job.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { testdata } from "../../../test/shared.js";
import { lzo1xDecompress } from "./decode.js";
import { lzo1xBound, lzo1xCompress } from "./encode.js";
import { decodedPages } from "./pages.case.js";

function roundTrip(data: Uint8Array): Uint8Array {
  const stream = lzo1xCompress(data);
  assert.ok(stream.length <= lzo1xBound(data.length), "over the bound");
  assert.deepEqual(lzo1xDecompress(stream, data.length), data);
  return stream;
}

/** deterministic pseudo-random bytes (xorshift), so failures reproduce */
function noise(length: number, seed = 1): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe("lzo1x encode: real pages", () => {
  const dumps = readdirSync(testdata("dumps")).filter((f) => /\.kdump-/.test(f));
  for (const file of dumps) {
    it(`round-trips every page of ${file} and shrinks them`, async () => {
      const pages = await decodedPages(testdata("dumps", file));
      assert.ok(pages.size > 0);
      let raw = 0;
      let packed = 0;
      for (const page of pages.values()) {
        raw += page.length;
        packed += roundTrip(page).length;
      }
      // log pages shrink to under a half, kallsyms tables to 54% (as with liblzo's LZO1X-1)
      assert.ok(packed < raw * 0.6, `${packed} of ${raw} bytes`);
    });
  }
});

describe("lzo1x encode: generated data", () => {
  it("writes empty input as the end marker alone", () => {
    assert.deepEqual(roundTrip(new Uint8Array(0)), Uint8Array.of(0x11, 0, 0));
  });
  it("shrinks a zero page to a few bytes", () => {
    for (const size of [4096, 65536, 1 << 20]) {
      assert.ok(roundTrip(new Uint8Array(size)).length < 16 + size / 250, `size ${size}`);
    }
  });
  it("keeps incompressible data within the bound", () => {
    for (const size of [1, 2, 3, 4, 5, 17, 18, 19, 238, 239, 273, 274, 4096, 70000]) {
      roundTrip(noise(size, size));
    }
  });
  it("round-trips every short length", () => {
    for (let n = 0; n < 300; n++) {
      roundTrip(noise(n, n + 1).map((b) => b & 1));
      roundTrip(noise(n, n + 7));
    }
  });
  it("reaches back across the M2, M3 and M4 distance limits", () => {
    for (const gap of [2047, 2048, 2049, 16383, 16384, 16385, 32767, 32768, 32769, 49151, 49152]) {
      const head = noise(gap, gap);
      roundTrip(concat(head, head.subarray(0, 3000), noise(20, 3)));
    }
  });
  it("round-trips literal runs and matches of every length class", () => {
    for (const run of [3, 4, 18, 19, 273, 274, 275, 529, 530]) {
      for (const match of [4, 8, 9, 33, 34, 288, 289, 544]) {
        const a = noise(match, run);
        roundTrip(concat(a, noise(run, match + 1), a, noise(2, 5), a));
      }
    }
  });
  it("round-trips arbitrary data (property)", () => {
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 5000 }),
      fc.uint8Array({ maxLength: 5000 }).map((d) => d.map((b) => b & 3)),
      fc
        .array(fc.tuple(fc.nat(255), fc.nat(600)), { maxLength: 20 })
        .map((runs) => concat(...runs.map(([b, n]) => new Uint8Array(n).fill(b)))),
    );
    fc.assert(
      fc.property(data, (d) => {
        roundTrip(d);
      }),
      { numRuns: 500 },
    );
  });
});
