/**
 * Bad input is normal input: truncated dumps cut at many points, empty files, wrong magic,
 * descriptors past the end, corrupt pages, a dump without VMCOREINFO. Nothing may escape as a
 * raw exception; what could be read is returned and what could not is named.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { CrashlensError } from "../errors.js";
import { formatLog, openKernel } from "../kernel/index.js";
import { BufferRandomAccess, openDumpFrom } from "./index.js";
import { viewOf } from "./random-access.js";
import { conformanceImage } from "./reader.case.js";
import { writeFlattened } from "./writers/flattened-writer.js";

const fixture = "testdata/dumps/nullread-dmesg.kdump-zlib";

/** Opens and reads the log; returns the record count, or the CrashlensError it failed with. */
async function tryAll(bytes: Uint8Array, name: string): Promise<number | CrashlensError> {
  try {
    const dump = await openDumpFrom(new BufferRandomAccess(bytes, name), name);
    const kernel = await openKernel(dump);
    const log = await kernel.readLog();
    formatLog(log.records);
    return log.records.length;
  } catch (error) {
    if (error instanceof CrashlensError) return error;
    throw error;
  }
}

/** A refusal names the file it could not read, or is a fault/limit with its own address. */
function assertExplains(result: number | CrashlensError, name: string): void {
  if (!(result instanceof CrashlensError)) return;
  assert.ok(
    result.message.includes(name.split(" ")[0] as string) ||
      result.code === "fault" ||
      result.code === "limit",
    result.message,
  );
}

async function cutEverywhere(bytes: Uint8Array, name: string, step: number): Promise<void> {
  for (let cut = 0; cut < bytes.length; cut += step) {
    const result = await tryAll(bytes.subarray(0, cut), `${name} cut at ${cut}`);
    assertExplains(result, name);
  }
}

describe("bad input never escapes as a raw exception", () => {
  it("kdump-compressed cut at hundreds of points", async () => {
    await cutEverywhere(await readFile(fixture), "kdump", 97);
  });
  it("ELF cut at hundreds of points", async () => {
    const image = conformanceImage();
    image.vmcoreinfo = (
      await readFile("testdata/dumps/nullread.vmcoreinfo.txt", "latin1")
    ).toString();
    await cutEverywhere(image.toElf(), "elf", 211);
  });
  it("flattened cut at hundreds of points", async () => {
    await cutEverywhere(writeFlattened(await readFile(fixture), { recordSize: 1000 }), "flat", 101);
  });

  it("a truncated dump still yields the log records it holds, and names the missing pages", async () => {
    const bytes = await readFile(fixture);
    const full = await tryAll(bytes, "full");
    const cut = await tryAll(bytes.subarray(0, bytes.length - 6000), "cut");
    assert.equal(typeof full, "number");
    assert.equal(typeof cut, "number");
    assert.ok((cut as number) > 0 && (cut as number) < (full as number), `${cut} of ${full}`);
  });

  it("rejects empty files and wrong magic with bad-data", async () => {
    for (const [bytes, pattern] of [
      [new Uint8Array(0), /empty/],
      [new TextEncoder().encode("hello, this is not a dump"), /not a vmcore/],
      [new Uint8Array(5000), /not a vmcore/],
    ] as const) {
      await assert.rejects(
        openDumpFrom(new BufferRandomAccess(bytes, "bad"), "bad"),
        (error: unknown) => {
          assert.ok(error instanceof CrashlensError);
          assert.equal(error.code, "bad-data");
          assert.match(error.message, pattern);
          return true;
        },
      );
    }
  });

  it("names the old DISKDUMP format as unsupported", async () => {
    const bytes = new Uint8Array(await readFile(fixture));
    bytes.set(new TextEncoder().encode("DISKDUMP"), 0);
    await assert.rejects(openDumpFrom(new BufferRandomAccess(bytes, "old"), "old"), {
      code: "unsupported",
      message: /DISKDUMP/,
    });
  });

  it("names pages whose descriptors point past the end of the file", async () => {
    const bytes = new Uint8Array(await readFile(fixture));
    const view = viewOf(bytes);
    const bs = view.getInt32(428, true);
    const subBlocks = view.getInt32(432, true);
    const bitmapBlocks = view.getUint32(436, true);
    const descAt = bs * (1 + subBlocks + bitmapBlocks);
    // every descriptor now points far past the end
    for (
      let at = descAt;
      at + 24 <= bytes.length &&
      view.getBigInt64(at, true) > 0n &&
      view.getBigInt64(at, true) < BigInt(bytes.length);
      at += 24
    ) {
      view.setBigInt64(at, BigInt(bytes.length) * 4n, true);
    }
    const dump = await openDumpFrom(new BufferRandomAccess(bytes, "pastend"), "pastend");
    const log = await (await openKernel(dump)).readLog();
    assert.equal(log.records.length, 0);
    assert.ok(
      log.warnings.some((w) => /past the end of the file/.test(w)),
      log.warnings.join("; "),
    );
  });

  it("names a corrupt compressed page", async () => {
    const image = conformanceImage();
    const bytes = await image.toKdump("zlib");
    const dump0 = await openDumpFrom(new BufferRandomAccess(bytes), "probe");
    const desc = await (
      dump0 as unknown as { describe(p: bigint): Promise<{ offset: number; size: number }> }
    ).describe(3n);
    bytes.fill(0x55, desc.offset, desc.offset + desc.size);
    const dump = await openDumpFrom(new BufferRandomAccess(bytes, "corrupt"), "corrupt");
    await assert.rejects(dump.readPhysical(3n * 4096n, 16), (error: unknown) => {
      assert.ok(error instanceof CrashlensError);
      assert.match(error.message, /corrupt zlib page/);
      assert.match(error.message, /0x3000/);
      return true;
    });
    assert.deepEqual(await dump.readPhysical(4n * 4096n, 4096), image.pages.get(4n));
  });

  it("reports a dump without VMCOREINFO (QEMU without -device vmcoreinfo) and still gives the CPUs", async () => {
    const image = conformanceImage();
    delete image.vmcoreinfo;
    const prstatus = new Uint8Array(336);
    viewOf(prstatus).setBigUint64(112 + 16 * 8, 0xffffffff81234567n, true);
    image.notes = [{ name: "CORE", type: 1, desc: prstatus }];
    const dump = await openDumpFrom(new BufferRandomAccess(image.toElf(), "novmci"), "novmci");
    const kernel = await openKernel(dump);
    assert.ok(kernel.warnings.some((w) => /no VMCOREINFO/.test(w)));
    assert.equal(kernel.cpus[0]?.registers.rip, 0xffffffff81234567n);
    const log = await kernel.readLog();
    assert.equal(log.records.length, 0);
    assert.match(log.warnings.join(";"), /no VMCOREINFO/);
  });
});

describe("bad input: random corruption (property)", () => {
  it("flipping bytes anywhere in headers, bitmaps, descriptors or data never escapes as a raw exception", async () => {
    const { default: fc } = await import("fast-check");
    const original = new Uint8Array(await readFile(fixture));
    await fc.assert(
      fc.asyncProperty(
        // two thirds of the flips land in the first 24 KiB: headers, notes, VMCOREINFO, bitmaps, descriptors
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.integer({ min: 0, max: 24575 }),
              fc.integer({ min: 0, max: 24575 }),
              fc.integer({ min: 0, max: original.length - 1 }),
            ),
            fc.integer({ min: 0, max: 255 }),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        async (flips) => {
          const bytes = original.slice();
          for (const [at, value] of flips) bytes[at] = value;
          assertExplains(await tryAll(bytes, "corrupt"), "corrupt");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("corrupting the ELF and flattened headers never escapes as a raw exception", async () => {
    const { default: fc } = await import("fast-check");
    const image = conformanceImage();
    image.vmcoreinfo = await readFile("testdata/dumps/nullread.vmcoreinfo.txt", "latin1");
    const elf = image.toElf();
    const flat = writeFlattened(await readFile(fixture), { recordSize: 2000 });
    for (const original of [elf, flat]) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.tuple(
              fc.integer({ min: 0, max: Math.min(original.length, 8192) - 1 }),
              fc.integer({ min: 0, max: 255 }),
            ),
            { minLength: 1, maxLength: 8 },
          ),
          async (flips) => {
            const bytes = original.slice();
            for (const [at, value] of flips) bytes[at] = value;
            await tryAll(bytes, "corrupt");
          },
        ),
        { numRuns: 150 },
      );
    }
  });
});
