import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BufferRandomAccess, openDumpFrom } from "./index.js";
import { conformanceImage, runReaderSuite } from "./reader.case.js";

runReaderSuite({ name: "ELF core", format: "elf", write: async (image) => image.toElf() });
// QEMU places the program headers at 192, not right after the ELF header
runReaderSuite({
  name: "ELF core, e_phoff 192",
  format: "elf",
  write: async (image) => image.toElf({ phoff: 192 }),
});
runReaderSuite({
  name: "ELF core, PN_XNUM",
  format: "elf",
  write: async (image) => image.toElf({ forcePnXnum: true }),
});

describe("ELF specifics", () => {
  it("takes page_offset_base from direct-map p_vaddr", async () => {
    const bytes = conformanceImage().toElf({ directMapBase: 0xffff888000000000n });
    const dump = await openDumpFrom(new BufferRandomAccess(bytes), "kdump.elf");
    assert.equal(dump.directMapBase, 0xffff888000000000n);
    assert.equal(dump.flavour, "kdump");
  });
  it("has no page_offset_base when p_vaddr == p_paddr (QEMU without paging)", async () => {
    const dump = await openDumpFrom(new BufferRandomAccess(conformanceImage().toElf()), "qemu.elf");
    assert.equal(dump.directMapBase, undefined);
  });
});
