/**
 * Property: however a file is cut into flattened records — any sizes, any order, any
 * overwrites of earlier records by later ones — reading the stream in place gives the bytes
 * the file had after the records were applied in order (what `makedumpfile -R` would write).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FlattenedRandomAccess } from "./flattened.js";
import { BufferRandomAccess } from "./random-access.js";
import { encodeFlattened } from "./writers/flattened-writer.js";

const record = fc.record({
  offset: fc.integer({ min: 0, max: 3000 }),
  data: fc.uint8Array({ minLength: 0, maxLength: 700 }),
});

describe("flattened index (property)", () => {
  it("equals replaying the records in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 0, max: 3700 }),
        fc.integer({ min: 0, max: 400 }),
        async (records, from, length) => {
          const size = Math.max(...records.map((r) => r.offset + r.data.length));
          const expected = new Uint8Array(size);
          for (const r of records) expected.set(r.data, r.offset);
          const flat = await FlattenedRandomAccess.open(
            new BufferRandomAccess(encodeFlattened(records)),
          );
          assert.equal(flat.size, size);
          const start = Math.min(from, size);
          const take = Math.min(length, size - start);
          assert.deepEqual(await flat.read(start, take), expected.subarray(start, start + take));
        },
      ),
      { numRuns: 300 },
    );
  });
});
