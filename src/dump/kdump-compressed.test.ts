import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import { PAGE } from "../../test/writers/memory.js";
import { BufferRandomAccess, openDumpFrom } from "./index.js";
import { KdumpCompressedDump } from "./kdump-compressed.js";
import { conformanceImage, runReaderSuite } from "./reader.case.js";
import { writeKdump } from "./writers/kdump-writer.js";

for (const compression of ["zlib", "lzo", "snappy", "zstd", "none"] as const) {
  runReaderSuite({
    name: `kdump-compressed, ${compression}`,
    format: "kdump-compressed",
    write: (image) => image.toKdump(compression),
  });
}
for (const headerVersion of [1, 3, 5]) {
  runReaderSuite({
    name: `kdump-compressed header v${headerVersion}`,
    format: "kdump-compressed",
    write: (image) => image.toKdump("zlib", { headerVersion }),
    // the VMCOREINFO offset exists from header v3, the notes offset from v4
    carries: headerVersion >= 4 ? "notes" : headerVersion === 3 ? "vmcoreinfo-only" : "nothing",
  });
}

describe("kdump-compressed specifics", () => {
  it("points zero pages at one shared zero page", async () => {
    const image = conformanceImage();
    image.page(50n); // a second all-zero page
    const bytes = await image.toKdump("zlib");
    const dump = await openDumpFrom(new BufferRandomAccess(bytes), "zero.kdump");
    assert.deepEqual(await dump.readPhysical(50n * BigInt(PAGE), PAGE), new Uint8Array(PAGE));
    const d30 = await (
      dump as unknown as { describe(p: bigint): Promise<{ offset: number }> }
    ).describe(30n);
    const d50 = await (
      dump as unknown as { describe(p: bigint): Promise<{ offset: number }> }
    ).describe(50n);
    assert.equal(d30.offset, d50.offset);
  });
  it("reads a split part and faults for pages in the other part", async () => {
    const image = conformanceImage();
    const bytes = await image.toKdump("zlib", { split: { start: 24n, end: 64n } });
    const dump = await openDumpFrom(new BufferRandomAccess(bytes), "split.kdump");
    assert.match(dump.description, /split/);
    assert.deepEqual(await dump.readPhysical(25n * BigInt(PAGE), PAGE), image.pages.get(25n));
    await assert.rejects(dump.readPhysical(2n * BigInt(PAGE), 8), /another part of a split dump/);
  });
  it("names pages an incomplete dump never wrote", async () => {
    const image = conformanceImage();
    const bytes = await image.toKdump("zlib", { incomplete: [5n] });
    const dump = await openDumpFrom(new BufferRandomAccess(bytes), "incomplete.kdump");
    assert.match(dump.description, /INCOMPLETE/);
    assert.ok(dump.warnings.some((w) => /incomplete/.test(w)));
    await assert.rejects(dump.readPhysical(5n * BigInt(PAGE), 8), {
      code: "fault",
      message: /never written/,
    });
    assert.deepEqual(await dump.readPhysical(6n * BigInt(PAGE), PAGE), image.pages.get(6n));
  });
});

// fuzz (dump-split): a header timestamp past a Date's range gave an Invalid Date, and
// facts() and `analyze` threw a RangeError from toISOString()
test("kdump: a header timestamp beyond a Date's range gives no crash time", async () => {
  const bytes = await writeKdump({
    maxMapnr: 4n,
    pages: new Map([[1n, new Uint8Array(4096).fill(1)]]),
    compression: "none",
  });
  new DataView(bytes.buffer, bytes.byteOffset).setBigInt64(408, 2n ** 62n, true);
  const dump = await KdumpCompressedDump.open(new BufferRandomAccess(bytes), "far.kdump");
  assert.equal(dump.hints().crashTime, undefined);
  assert.doesNotThrow(() => dump.facts());
});
