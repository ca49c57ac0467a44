/**
 * Memory stays flat in dump size: multi-GB sparse dumps (generated, holes cost no disk)
 * are opened and read at their far end while the heap and RSS barely move.
 */
import assert from "node:assert/strict";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openDump } from "./index.js";
import { viewOf } from "./random-access.js";
import { DiskDumpHeader, KdumpSubHeader, PageDescriptor } from "./structs/kdump.js";
import { writeElfCore } from "./writers/elf-writer.js";

const PAGE = 4096;
const dir = await mkdtemp(join(tmpdir(), "crashlens-sparse-"));
after(() => (process.env.KEEP ? undefined : rm(dir, { recursive: true, force: true })));

const pattern = (pfn: bigint) => new Uint8Array(PAGE).fill(Number(pfn % 251n) + 1);

/** kdump with max_mapnr 2^30 (4 TiB of RAM): 2 x 128 MiB bitmaps, 8 pages written */
async function sparseKdump(path: string, maxMapnr: bigint, pfns: bigint[]): Promise<number> {
  const bitmapBytes = Number(maxMapnr / 8n);
  const bitmapAt = 2 * PAGE;
  const descAt = bitmapAt + 2 * bitmapBytes;
  const dataAt = descAt + pfns.length * 24;
  const file = await open(path, "w");
  const head = new Uint8Array(2 * PAGE);
  DiskDumpHeader.put(viewOf(head), 0, {
    signature: "KDUMP   ",
    headerVersion: 6,
    sysname: "Linux",
    nodename: "",
    release: "",
    version: "",
    machine: "x86_64",
    domainname: "",
    timestampSec: 0n,
    timestampUsec: 0n,
    status: 0,
    blockSize: PAGE,
    subHeaderSize: 1,
    bitmapBlocks: (2 * bitmapBytes) / PAGE,
    maxMapnr: 0xffffffff,
    totalRamBlocks: 0,
    deviceBlocks: 0,
    writtenBlocks: 0,
    currentCpu: 0,
    nrCpus: 1,
  });
  KdumpSubHeader.put(viewOf(head), PAGE, {
    physBase: 0n,
    dumpLevel: 31,
    split: 0,
    startPfn: 0n,
    endPfn: 0n,
    offsetVmcoreinfo: 0n,
    sizeVmcoreinfo: 0n,
    offsetNote: 0n,
    sizeNote: 0n,
    offsetEraseinfo: 0n,
    sizeEraseinfo: 0n,
    startPfn64: 0n,
    endPfn64: 0n,
    maxMapnr64: maxMapnr,
  });
  await file.write(head, 0, head.length, 0);
  const bytes = new Map<number, number>();
  for (const pfn of pfns) {
    const byte = Number(pfn / 8n);
    bytes.set(byte, (bytes.get(byte) ?? 0) | (1 << Number(pfn % 8n)));
  }
  for (const [byte, value] of bytes) {
    const bit = new Uint8Array([value]);
    await file.write(bit, 0, 1, bitmapAt + byte);
    await file.write(bit, 0, 1, bitmapAt + bitmapBytes + byte);
  }
  const descs = new Uint8Array(pfns.length * 24);
  pfns.forEach((_pfn, i) => {
    PageDescriptor.put(viewOf(descs), i * 24, {
      offset: BigInt(dataAt + i * PAGE),
      size: PAGE,
      flags: 0,
      pageFlags: 0n,
    });
  });
  await file.write(descs, 0, descs.length, descAt);
  for (const [i, pfn] of pfns.entries()) await file.write(pattern(pfn), 0, PAGE, dataAt + i * PAGE);
  const size = dataAt + pfns.length * PAGE;
  await file.close();
  return size;
}

function memory() {
  global.gc?.();
  return process.memoryUsage().rss;
}

describe("memory stays flat on multi-GB sparse dumps", () => {
  it("kdump-compressed with 4 TiB of pfns: reads the last pages", async () => {
    const maxMapnr = 1n << 30n;
    const pfns = [0n, 1n, 2n, 3n, maxMapnr - 4n, maxMapnr - 3n, maxMapnr - 2n, maxMapnr - 1n];
    const path = join(dir, "huge.kdump");
    const size = await sparseKdump(path, maxMapnr, pfns);
    assert.ok(size > 256 * 1024 * 1024);
    const before = memory();
    const dump = await openDump(path);
    for (const pfn of [...pfns].reverse()) {
      assert.deepEqual(
        await dump.readPhysical(pfn * BigInt(PAGE), PAGE),
        pattern(pfn),
        `pfn ${pfn}`,
      );
    }
    await assert.rejects(dump.readPhysical((maxMapnr - 10n) * BigInt(PAGE), 8), { code: "fault" });
    await dump.close();
    const grown = memory() - before;
    assert.ok(
      grown < 64 * 1024 * 1024,
      `RSS grew by ${grown >> 20} MiB reading a ${size >> 20} MiB dump`,
    );
  });

  it("ELF with an 8 GiB PT_LOAD: reads its far end", async () => {
    const path = join(dir, "huge.elf");
    // one PT_LOAD of 8 GiB whose data starts at 1 MiB: patch the header table by hand
    const gib8 = 8n << 30n;
    const core = writeElfCore({
      notes: [],
      segments: [{ paddr: 0n, data: new Uint8Array(0), memsz: gib8 }],
    });
    const view = viewOf(core);
    const phoff = 64 + 56; // second program header: the PT_LOAD
    view.setBigUint64(phoff + 8, 1n << 20n, true); // p_offset
    view.setBigUint64(phoff + 32, gib8, true); // p_filesz
    const file = await open(path, "w");
    await file.write(core, 0, core.length, 0);
    const last = gib8 / BigInt(PAGE) - 1n;
    await file.write(pattern(last), 0, PAGE, Number((1n << 20n) + last * BigInt(PAGE)));
    await file.close();
    const before = memory();
    const dump = await openDump(path);
    assert.deepEqual(await dump.readPhysical(last * BigInt(PAGE), PAGE), pattern(last));
    assert.deepEqual(await dump.readPhysical(4n << 30n, 16), new Uint8Array(16));
    await dump.close();
    const grown = memory() - before;
    assert.ok(grown < 32 * 1024 * 1024, `RSS grew by ${grown >> 20} MiB`);
  });
});
