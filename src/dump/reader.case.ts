/**
 * @module dump/reader.case
 * One conformance suite for every dump reader: the same generated memory image, written in
 * each format, must read back the same bytes, zeros for filtered pages, faults for holes,
 * and the same notes and VMCOREINFO.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryImage, PAGE } from "../../test/writers/memory.js";
import { CrashlensError } from "../errors.js";
import { BufferRandomAccess, detectDump, openDumpFrom } from "./index.js";
import type { Dump, DumpFormat } from "./types.js";

export interface ReaderCase {
  name: string;
  format: DumpFormat;
  /** writes the image in this case's format */
  write(image: MemoryImage): Promise<Uint8Array>;
  skip?: { reason: string; tests: string[] }[];
  /** what the format version can carry: kdump headers before v3 hold no VMCOREINFO, before v4 no notes */
  carries?: "notes" | "vmcoreinfo-only" | "nothing";
}

/** pfns 0-15 data, 16-19 filtered out, 20-23 a hole, 24-39 data (30 all zeros), 40-41 filtered */
export function conformanceImage(): MemoryImage {
  const image = new MemoryImage();
  const fill = (pfn: number) => {
    const page = image.page(BigInt(pfn));
    for (let i = 0; i < PAGE; i++) page[i] = (pfn * 31 + i * 7 + (i >> 8)) & 0xff;
  };
  for (let pfn = 0; pfn < 16; pfn++) fill(pfn);
  for (let pfn = 24; pfn < 40; pfn++) if (pfn !== 30) fill(pfn);
  image.page(30n);
  for (const pfn of [16n, 17n, 18n, 19n, 40n, 41n]) image.excluded.add(pfn);
  image.notes = [{ name: "CORE", type: 1, desc: new Uint8Array(336).fill(3) }];
  image.vmcoreinfo = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  return image;
}

export function runReaderSuite(c: ReaderCase): void {
  const skipped = new Map(
    (c.skip ?? []).flatMap((s) => s.tests.map((t) => [t, s.reason] as const)),
  );
  const test = (
    name: string,
    fn: (dump: Dump, image: MemoryImage, bytes: Uint8Array) => Promise<void>,
  ) => {
    const reason = skipped.get(name);
    it(name, reason === undefined ? {} : { skip: reason }, async () => {
      const image = conformanceImage();
      const bytes = await c.write(image);
      const dump = await openDumpFrom(new BufferRandomAccess(bytes, c.name), c.name);
      try {
        await fn(dump, image, bytes);
      } finally {
        await dump.close();
      }
    });
  };

  describe(`reader conformance: ${c.name}`, () => {
    test("is detected from its first bytes", async (dump, _image, bytes) => {
      assert.equal(detectDump(bytes.subarray(0, 8192))?.format, c.format);
      assert.equal(dump.format, c.format);
    });
    test("reads every written page exactly", async (dump, image) => {
      for (const [pfn, page] of image.pages) {
        if (image.excluded.has(pfn)) continue;
        assert.deepEqual(await dump.readPhysical(pfn * BigInt(PAGE), PAGE), page, `pfn ${pfn}`);
      }
    });
    test("reads across page boundaries", async (dump, image) => {
      const got = await dump.readPhysical(3n * BigInt(PAGE) + 4000n, 200);
      const want = new Uint8Array(200);
      want.set((image.pages.get(3n) as Uint8Array).subarray(4000), 0);
      want.set((image.pages.get(4n) as Uint8Array).subarray(0, 104), 96);
      assert.deepEqual(got, want);
    });
    test("filtered-out pages are a fault that says so, not zeros (crash's 'page excluded')", async (dump) => {
      for (const address of [17n * BigInt(PAGE), 41n * BigInt(PAGE) + 8n]) {
        await assert.rejects(dump.readPhysical(address, 16), (error: unknown) => {
          assert.ok(error instanceof CrashlensError);
          assert.equal(error.code, "fault");
          assert.equal(error.details.filtered, true);
          assert.match(error.message, /filtered out/);
          return true;
        });
      }
    });
    test("holes fault with the address", async (dump) => {
      const address = 21n * BigInt(PAGE) + 5n;
      await assert.rejects(dump.readPhysical(address, 4), (error: unknown) => {
        assert.ok(error instanceof CrashlensError);
        assert.equal(error.code, "fault");
        assert.equal(error.details.address, 21n * BigInt(PAGE));
        assert.match(error.message, /0x15000/);
        return true;
      });
      await assert.rejects(dump.readPhysical(1000n * BigInt(PAGE), 4), { code: "fault" });
      assert.equal(await dump.hasPage(21n * BigInt(PAGE)), false);
      assert.equal(await dump.hasPage(2n * BigInt(PAGE)), true);
    });
    test("keeps notes and VMCOREINFO", async (dump, image) => {
      const carries = c.carries ?? "notes";
      assert.equal(dump.vmcoreinfo, carries === "nothing" ? undefined : image.vmcoreinfo);
      if (carries !== "notes") {
        assert.equal(dump.notes.length, 0);
        return;
      }
      const core = dump.notes.find((n) => n.name === "CORE");
      assert.deepEqual(core?.desc, new Uint8Array(336).fill(3));
      assert.ok(dump.facts().length > 3);
      assert.ok(dump.description.length > 0);
    });
  });
}
