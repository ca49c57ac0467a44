import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../test/cli.js";
import { MemoryImage, PAGE } from "../../test/writers/memory.js";
import { openDumps } from "./index.js";
import { conformanceImage } from "./reader.case.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-split-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function writeParts(image: MemoryImage, cuts: bigint[]): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const path = join(dir, `part${i}`);
    writeFileSync(
      path,
      await image.toKdump("zlib", {
        split: { start: cuts[i] as bigint, end: cuts[i + 1] as bigint },
      }),
    );
    paths.push(path);
  }
  return paths;
}

describe("split kdump-compressed dumps (makedumpfile --split)", () => {
  it("opens the parts together as one dump, in any order", async () => {
    const image = conformanceImage();
    const paths = await writeParts(image, [0n, 10n, 26n, 64n]);
    const dump = await openDumps([...paths].reverse());
    assert.equal(dump.flavour, "split");
    assert.match(dump.description, /3 split parts/);
    for (const [pfn, page] of image.pages) {
      if (image.excluded.has(pfn)) continue;
      assert.deepEqual(await dump.readPhysical(pfn * BigInt(PAGE), PAGE), page, `pfn ${pfn}`);
    }
    // a read across the boundary of two parts
    const got = await dump.readPhysical(10n * BigInt(PAGE) - 8n, 16);
    assert.deepEqual(got.subarray(0, 8), (image.pages.get(9n) as Uint8Array).subarray(PAGE - 8));
    assert.deepEqual(got.subarray(8), (image.pages.get(10n) as Uint8Array).subarray(0, 8));
    assert.equal(dump.vmcoreinfo, image.vmcoreinfo);
    await dump.close();
  });

  it("passes its headers' kernel facts on, as a whole dump does", async () => {
    const image = conformanceImage();
    const header = { release: "6.1.0-56-cloud-amd64", machine: "x86_64", physBase: 0x3c00000n };
    const paths: string[] = [];
    const cuts: Array<[bigint, bigint]> = [
      [0n, 30n],
      [30n, 64n],
    ];
    for (const [i, [start, end]] of cuts.entries()) {
      const path = join(dir, `hinted${i}`);
      writeFileSync(path, await image.toKdump("zlib", { ...header, split: { start, end } }));
      paths.push(path);
    }
    const dump = await openDumps(paths);
    const hints = dump.hints();
    assert.equal(hints.release, header.release);
    assert.equal(hints.machine, header.machine);
    assert.equal(hints.physBase, header.physBase);
    await dump.close();
  });

  it("names the pages of a missing part", async () => {
    const image = conformanceImage();
    const paths = await writeParts(image, [0n, 10n, 64n]);
    const dump = await openDumps([paths[1] as string]);
    await assert.rejects(dump.readPhysical(3n * BigInt(PAGE), 4), /another part of a split dump/);
    await dump.close();
  });

  it("crashlens dmesg takes all the parts", async () => {
    // the committed fixture, re-split in two
    const fixture = "testdata/dumps/nullread-dmesg.kdump-zlib";
    const whole = await openDumps([fixture]);
    const image = new MemoryImage();
    image.vmcoreinfo = whole.vmcoreinfo as string;
    image.notes = whole.notes.filter((n) => n.name !== "VMCOREINFO");
    for await (const pfn of whole.storedPages())
      image.pages.set(pfn, await whole.readPhysical(pfn * BigInt(PAGE), PAGE));
    await whole.close();
    const middle = [...image.pages.keys()].sort((a, b) => (a < b ? -1 : 1))[75] as bigint;
    const paths = await writeParts(image, [0n, middle, image.maxPfn() + 1n]);
    const r = await cli(["dmesg", ...paths], { encoding: "latin1" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1"));
  });
});
