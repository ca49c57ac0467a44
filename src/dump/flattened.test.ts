import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BufferRandomAccess, openDumpFrom } from "./index.js";
import { conformanceImage, runReaderSuite } from "./reader.case.js";
import { encodeFlattened } from "./writers/flattened-writer.js";

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

// fuzz (dump-flattened): a record written at an offset of exabytes and an ELF segment that
// claims as much made 7·10^14 "stored" pages of holes, which the VMCOREINFO scan read one by one
describe("flattened holes", () => {
  it("an ELF segment over the holes of a flattened stream stores only the pages records wrote", async () => {
    const image = conformanceImage();
    const elf = image.toElf();
    const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
    const phoff = Number(view.getBigUint64(0x20, true));
    const [phentsize, phnum] = [view.getUint16(0x36, true), view.getUint16(0x38, true)];
    let last = -1;
    for (let i = 0; i < phnum; i++) if (view.getUint32(phoff + i * phentsize, true) === 1) last = i;
    assert.ok(last >= 0, "the image has a PT_LOAD segment");
    const far = 2 ** 50;
    view.setBigUint64(phoff + last * phentsize + 0x20, BigInt(far), true); // p_filesz
    view.setBigUint64(phoff + last * phentsize + 0x28, BigInt(far), true); // p_memsz
    const bytes = encodeFlattened([
      { offset: 0, data: elf },
      { offset: far, data: new Uint8Array(16) },
    ]);
    const dump = await openDumpFrom(new BufferRandomAccess(bytes), "holes.flat");
    const count = dump.storedPageCount?.() ?? 0;
    assert.ok(count <= image.pages.size + 1, `${count} stored pages`);
    let stored = 0;
    for await (const _ of dump.storedPages()) stored++;
    assert.equal(stored, count);
    assert.deepEqual(await dump.readPhysical(4096n, 4096), image.pages.get(1n));
  });
});
