/**
 * Finding the kernel's own VMCOREINFO copy when the dump has no note: the page may sit at any
 * 4 KiB boundary inside a bigger dump block (QEMU's arm64 kdump output: 64 KiB blocks).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BufferRandomAccess, openDumpFrom } from "../dump/index.js";
import { writeKdump } from "../dump/writers/kdump-writer.js";
import { findVmcoreinfoInMemory } from "./find-vmcoreinfo.js";

const text = "OSRELEASE=9.9.9-fake\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800009000000\n";

async function dumpWith(blockSize: number, at: number) {
  const block = new Uint8Array(blockSize);
  block.set(new TextEncoder().encode("OSRELEASE=a stray line\n"), 0); // no PAGESIZE, no SYMBOL
  block.set(new TextEncoder().encode(text), at);
  const bytes = await writeKdump({
    pageSize: blockSize,
    maxMapnr: 8n,
    pages: new Map([[5n, block]]),
    compression: "none",
  });
  return openDumpFrom(new BufferRandomAccess(bytes), "fake.kdump");
}

describe("findVmcoreinfoInMemory", () => {
  it("finds the copy at a 4 KiB boundary inside a 64 KiB block, skipping a stray line", async () => {
    const dump = await dumpWith(65536, 0x3000);
    const found = await findVmcoreinfoInMemory(dump);
    assert.equal(found?.paddr, 5n * 65536n + 0x3000n);
    assert.equal(found?.text, text);
  });

  it("finds it at the start of a 4 KiB block, and nothing where there is none", async () => {
    assert.equal((await findVmcoreinfoInMemory(await dumpWith(4096, 0)))?.paddr, 5n * 4096n);
    const empty = await dumpWith(65536, 0x800); // not at a page boundary: not the kernel's page
    assert.equal(await findVmcoreinfoInMemory(empty), undefined);
  });
});
