import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeKernel } from "../../../test/writers/kernel.js";
import { BufferRandomAccess, openDumpFrom } from "../../dump/index.js";
import { openKernel } from "../index.js";

const text = (s: string) => new TextEncoder().encode(s);

for (const levels of [4, 5] as const) {
  describe(`x86-64 translation, ${levels}-level page tables`, () => {
    const build = () => {
      const k = new FakeKernel(0x200000n, levels);
      k.image.write(0x201000n, text("kernel image data"));
      const vmalloc = levels === 5 ? 0xffa0000000000000n : 0xffffc90000000000n;
      k.map(vmalloc + 0x1000n, 0x300000n, 4096n);
      k.image.write(0x300010n, text("a vmalloc page"));
      k.map(vmalloc + 0x200000n, 0x400000n, 1n << 21n);
      k.image.write(0x400000n + 0x12345n, text("inside a 2 MiB page"));
      k.map(vmalloc + (1n << 30n), 0x40000000n, 1n << 30n);
      k.image.write(0x40000000n + 0x2345678n, text("inside a 1 GiB page"));
      // the direct map: a randomised base that maps physical 0 with a 1 GiB page
      const directMap = levels === 5 ? 0xff11200000000000n : 0xffff8b9d00000000n;
      k.map(directMap, 0n, 1n << 30n);
      k.image.write(0x5000n, text("low memory"));
      return { image: k.finish(), vmalloc, directMap };
    };

    it("reads the kernel image, 4 KiB, 2 MiB and 1 GiB mappings and finds the direct map", async () => {
      const { image, vmalloc, directMap } = build();
      const dump = await openDumpFrom(new BufferRandomAccess(image.toElf()), "fake.elf");
      const kernel = await openKernel(dump);
      const read = async (va: bigint, n: number) =>
        new TextDecoder().decode(await kernel.readVirtual(va, n));
      assert.equal(await read(0xffffffff80001000n, 17), "kernel image data");
      assert.equal(await read(vmalloc + 0x1010n, 14), "a vmalloc page");
      assert.equal(await read(vmalloc + 0x212345n, 19), "inside a 2 MiB page");
      assert.equal(await read(vmalloc + (1n << 30n) + 0x2345678n, 19), "inside a 1 GiB page");
      assert.equal(kernel.directMapBase, directMap);
      assert.equal(await read(directMap + 0x5000n, 10), "low memory");
    });

    it("trusts ELF p_vaddr for the direct map only when the page tables agree", async () => {
      const { image, directMap } = build();
      const agree = await openKernel(
        await openDumpFrom(
          new BufferRandomAccess(image.toElf({ directMapBase: directMap })),
          "agree.elf",
        ),
      );
      assert.equal(agree.directMapBase, directMap);
      assert.deepEqual(agree.warnings, []);
      // a paging-mode dump whose biggest mapping is not the direct map
      const wrong = levels === 5 ? 0xff11000000000000n : 0xffff888000000000n;
      const disagree = await openKernel(
        await openDumpFrom(
          new BufferRandomAccess(image.toElf({ directMapBase: wrong })),
          "disagree.elf",
        ),
      );
      assert.equal(disagree.directMapBase, directMap);
      assert.match(disagree.warnings.join(";"), /page tables disagree/);
      assert.equal(
        new TextDecoder().decode(await disagree.readVirtual(directMap + 0x5000n, 10)),
        "low memory",
      );
    });

    it("faults with the address for unmapped and non-canonical addresses", async () => {
      const { image, vmalloc } = build();
      const kernel = await openKernel(
        await openDumpFrom(new BufferRandomAccess(image.toElf()), "fake.elf"),
      );
      await assert.rejects(kernel.readVirtual(vmalloc + 0x5000n, 8), {
        code: "fault",
        message: /not mapped/,
      });
      await assert.rejects(
        kernel.readVirtual(levels === 5 ? 0x0100000000000000n : 0x0000900000000000n, 8),
        { code: "fault", message: /canonical/ },
      );
    });
  });
}
