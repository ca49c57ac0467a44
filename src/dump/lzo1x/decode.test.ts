/**
 * The LZO1X decoder: real liblzo pages (the committed LZO fixture was compressed by native
 * liblzo) checked against the same pages of the zlib fixture (decoded by node:zlib), the
 * instructions our encoder never emits, and bad input of every kind.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { testdata } from "../../../test/shared.js";
import { CrashlensError } from "../../errors.js";
import { lzo1xDecompress } from "./decode.js";
import { lzo1xCompress } from "./encode.js";
import { decodedPages, lzoBlobs } from "./pages.case.js";

const END = [0x11, 0x00, 0x00];
const bytes = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "number" ? [p] : [...p])));
const ramp = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

function rejects(input: Uint8Array, limit: number, code: "bad-data" | "truncated", what: RegExp) {
  assert.throws(
    () => lzo1xDecompress(input, limit),
    (error: unknown) =>
      error instanceof CrashlensError && error.code === code && what.test(error.message),
  );
}

describe("lzo1x decode: real liblzo pages", () => {
  it("equals the zlib fixture's pages (an independent decoder) on every LZO page", async () => {
    const { pageSize, blobs } = await lzoBlobs(testdata("dumps", "nullread-dmesg.kdump-lzo"));
    const zlibPages = await decodedPages(testdata("dumps", "nullread-dmesg.kdump-zlib"));
    assert.ok(blobs.size >= 20, `only ${blobs.size} LZO pages`);
    for (const [pfn, blob] of blobs) {
      const expected = zlibPages.get(pfn);
      assert.ok(expected, `pfn ${pfn} is not in the zlib fixture`);
      assert.deepEqual(lzo1xDecompress(blob, pageSize), expected, `pfn ${pfn}`);
    }
  });
});

describe("lzo1x decode: instructions", () => {
  it("reads the end marker alone as empty output", () => {
    assert.equal(lzo1xDecompress(bytes(END), 4096).length, 0);
  });
  it("reads M1 after 1-3 literals: two bytes within 1 KiB", () => {
    // first byte 19: two literals, state 2; M1 0000DDSS with D=1 → distance 2
    const out = lzo1xDecompress(bytes(19, 0x61, 0x62, 0x04, 0x00, END), 16);
    assert.deepEqual(out, bytes(0x61, 0x62, 0x61, 0x62));
  });
  it("reads M1 after a literal run: three bytes 2-3 KiB back", () => {
    const data = ramp(2100);
    // run of 2100: 0x00, then 2100-18 = 8*255 + 42; M1 distance 2049 + 3 + 12*4 = 2100
    const stream = bytes(0x00, Array(8).fill(0), 42, data, 0x0c, 12, END);
    assert.deepEqual(lzo1xDecompress(stream, 4096), bytes(data, data.subarray(0, 3)));
  });
  it("reads M4 with the high distance bit and a length extension", () => {
    const data = ramp(40000);
    const stream = lzo1xCompress(bytes(data, data.subarray(0, 600)));
    assert.ok(
      stream.some((b, i) => i > 0 && (b & 0xf8) === 0x18),
      "no M4 with H=1 in the stream",
    );
    assert.deepEqual(lzo1xDecompress(stream, 40600), bytes(data, data.subarray(0, 600)));
  });
  it("returns the bytes written when the stream ends before the limit", () => {
    assert.deepEqual(lzo1xDecompress(bytes(21, 1, 2, 3, 4, END), 4096), bytes(1, 2, 3, 4));
  });
});

describe("lzo1x decode: bad input", () => {
  const page = ramp(4096).map((b, i) => (i % 64 < 40 ? 0 : b));
  const stream = lzo1xCompress(page);

  it("every proper prefix of a valid stream is truncated", () => {
    for (let cut = 0; cut < stream.length; cut++) {
      rejects(stream.subarray(0, cut), 4096, "truncated", /ends|empty/);
    }
  });
  it("output longer than the limit is bad data", () => {
    rejects(stream, 4095, "bad-data", /overrun the 4095-byte output/);
    rejects(bytes(0x00, 0xff, ramp(273), END), 200, "bad-data", /overrun/);
  });
  it("a match reaching before the start is bad data", () => {
    // one literal, then M2 with distance 2
    rejects(bytes(18, 0x41, 0x44, 0x00, END), 16, "bad-data", /2 bytes back, but only 1/);
    // a match as the very first instruction (a first byte above 17 would be literals): M4
    rejects(bytes(0x11, 0x04, 0x00, END), 16, "bad-data", /16385 bytes back, but only 0/);
  });
  it("bytes after the end marker and malformed end markers are bad data", () => {
    rejects(bytes(stream, 0), 4096, "bad-data", /1 bytes after the end marker/);
    rejects(bytes(18, 0x41, 0x11, 0x01, 0x00), 16, "bad-data", /malformed end marker/);
    rejects(bytes(18, 0x41, 0x12, 0x00, 0x00), 16, "bad-data", /malformed end marker/);
  });
  it("a huge length extension stops at the limit, not at the end of the input", () => {
    rejects(bytes(0x00, new Uint8Array(100_000)), 4096, "bad-data", /overrun/);
  });
  it("random bytes only ever give a CrashlensError or at most `limit` bytes", () => {
    const limit = 4096;
    const streams = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      // valid streams with a few bytes changed reach much deeper than noise
      fc
        .tuple(
          fc.uint8Array({ minLength: 1, maxLength: 3000 }),
          fc.array(fc.nat(), { maxLength: 4 }),
        )
        .map(([data, flips]) => {
          const s = lzo1xCompress(data.map((b) => b & 3));
          for (const f of flips) s[f % s.length] = (s[f % s.length] as number) ^ (1 << (f % 8));
          return s;
        }),
    );
    fc.assert(
      fc.property(streams, (input) => {
        try {
          assert.ok(lzo1xDecompress(input, limit).length <= limit);
        } catch (error) {
          if (!(error instanceof CrashlensError)) throw error;
          assert.ok(error.code === "bad-data" || error.code === "truncated", error.code);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
