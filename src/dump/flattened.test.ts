import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BufferRandomAccess, openDumpFrom } from "./index.js";
import { conformanceImage, runReaderSuite } from "./reader.case.js";

runReaderSuite({
  name: "flattened kdump-compressed",
  format: "flattened",
  write: async (image) => image.toFlattened(await image.toKdump("zlib")),
});
runReaderSuite({
  name: "flattened ELF, records reversed, head rewritten last",
  format: "flattened",
  write: async (image) =>
    image.toFlattened(image.toElf(), { recordSize: 3000, reverse: true, rewriteHead: 512 }),
});

describe("flattened specifics", () => {
  it("warns about a stream with no end marker but reads what it has", async () => {
    const image = conformanceImage();
    const bytes = await image.toFlattened(await image.toKdump("zlib"), { noEndMarker: true });
    const dump = await openDumpFrom(new BufferRandomAccess(bytes), "noend.flat");
    assert.ok(dump.warnings.some((w) => /no end marker/.test(w)));
    assert.deepEqual(await dump.readPhysical(4096n, 4096), image.pages.get(1n));
    assert.equal(dump.flavour, "kdump-compressed");
  });
});
