import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import { ElfDump } from "./elf.js";
import { BufferRandomAccess, openDumpFrom } from "./index.js";
import { conformanceImage, runReaderSuite } from "./reader.case.js";
import { writeElfCore } from "./writers/elf-writer.js";

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

// fuzz (dump-elf): a PT_LOAD whose p_filesz runs far past the end of the file made
// storedPages() list ~10^8 pages that are not there, and the VMCOREINFO scan spun on them
test("ELF: storedPages lists only pages the file holds when p_filesz claims more", async () => {
  const page = new Uint8Array(4096).fill(7);
  const bytes = writeElfCore({
    notes: [],
    segments: [{ paddr: 0x100000n, data: new Uint8Array([...page, ...page]) }],
  });
  const view = new DataView(bytes.buffer);
  const load = Number(view.getBigUint64(32, true)) + 56; // program header 1 (0 is PT_NOTE)
  view.setBigUint64(load + 32, 2n ** 40n, true); // p_filesz
  view.setBigUint64(load + 40, 2n ** 40n, true); // p_memsz
  const dump = await ElfDump.open(new BufferRandomAccess(bytes), "cut.elf");
  const pfns: bigint[] = [];
  for await (const pfn of dump.storedPages()) pfns.push(pfn);
  assert.deepEqual(pfns, [0x100n, 0x101n]);
  assert.equal(dump.storedPageCount(), 2);
});
