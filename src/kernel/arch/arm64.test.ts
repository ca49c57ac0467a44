/**
 * arm64 translation from VMCOREINFO alone: the layout arithmetic (PAGE_OFFSET, levels, the
 * flip), and reads through synthetic `swapper_pg_dir` tables for each granule — pages and
 * blocks, 52-bit output addresses, a 52-bit kernel on 48-bit hardware — plus the arm64
 * NT_PRSTATUS layout. Real dumps are in arm64.conformance.test.ts and the committed fixture's
 * tests (src/cli/commands/arm64.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeArm64Kernel, type FakeArm64Options } from "../../../test/writers/arm64-kernel.js";
import { BufferRandomAccess, openDumpFrom } from "../../dump/index.js";
import { isCrashlensError } from "../../errors.js";
import { cpuStates } from "../cpu-state.js";
import { openKernel } from "../index.js";
import { parseVmcoreinfo } from "../vmcoreinfo.js";
import { arm64, arm64Config } from "./arm64.js";
import { linearRange, tableLevels } from "./arm64-translator.js";

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

describe("arm64 layout arithmetic", () => {
  it("puts the linear map low after the flip (v5.4+) and high before it", () => {
    assert.deepEqual(linearRange({ vaBits: 48, flipped: true }), {
      pageOffset: 0xffff000000000000n,
      pageEnd: 0xffff800000000000n,
    });
    assert.deepEqual(linearRange({ vaBits: 48, flipped: false }), {
      pageOffset: 0xffff800000000000n,
      pageEnd: 1n << 64n,
    });
    // a 52-bit kernel: PAGE_OFFSET from VA_BITS, PAGE_END from VA_BITS_MIN (48)
    assert.deepEqual(linearRange({ vaBits: 52, flipped: true }), {
      pageOffset: 0xfff0000000000000n,
      pageEnd: 0xffff800000000000n,
    });
    assert.equal(linearRange({ vaBits: 39, flipped: true }).pageOffset, 0xffffff8000000000n);
  });

  it("counts table levels as ARM64_HW_PGTABLE_LEVELS does", () => {
    assert.equal(tableLevels(48, 12), 4);
    assert.equal(tableLevels(39, 12), 3);
    assert.equal(tableLevels(47, 14), 3);
    assert.equal(tableLevels(48, 14), 4);
    assert.equal(tableLevels(48, 16), 3);
    assert.equal(tableLevels(52, 16), 3);
    assert.equal(tableLevels(42, 16), 2);
  });

  it("reads the lab kernel's VMCOREINFO into a configuration, detecting the flip by _stext", () => {
    const warnings: string[] = [];
    const info = parseVmcoreinfo(
      [
        "PAGESIZE=4096",
        "SYMBOL(swapper_pg_dir)=ffffaf2d9318f000",
        "SYMBOL(_stext)=ffffaf2d91e10000",
        "NUMBER(MAX_PHYSMEM_BITS)=48",
        "NUMBER(VA_BITS)=48",
        "NUMBER(kimage_voffset)=0xffffaf2d51c00000",
        "NUMBER(PHYS_OFFSET)=0x40000000",
        "NUMBER(TCR_EL1_T1SZ)=0x10",
      ].join("\n"),
    );
    assert.deepEqual(arm64Config(info, warnings), {
      vaBits: 48,
      vaBitsActual: 48,
      pageShift: 12,
      physBits: 48,
      physOffset: 0x40000000n,
      flipped: true,
      kimageVoffset: 0xffffaf2d51c00000n,
      imageStart: 0xffffaf2d91e00000n,
      swapperPgDir: 0xffffaf2d9318f000n,
    });
    assert.deepEqual(warnings, []);
    // a pre-5.4 kernel: the image in the lower half of the kernel range
    const old = parseVmcoreinfo(
      "PAGESIZE=4096\nSYMBOL(_stext)=ffff000008081000\nNUMBER(VA_BITS)=48",
    );
    assert.equal(arm64Config(old, [], 0x80000000n)?.flipped, false);
  });

  it("refuses what it cannot translate with a warning naming the entry", () => {
    const warnings: string[] = [];
    assert.equal(arm64Config(parseVmcoreinfo("PAGESIZE=4096"), warnings), undefined);
    assert.match(warnings[0] ?? "", /NUMBER\(VA_BITS\) is missing/);
    assert.equal(
      arm64Config(parseVmcoreinfo("PAGESIZE=8192\nNUMBER(VA_BITS)=48"), warnings),
      undefined,
    );
    assert.match(warnings[1] ?? "", /PAGESIZE 8192 is not an arm64 granule/);
  });
});

const layouts: { name: string; options: FakeArm64Options; blocks: bigint[] }[] = [
  { name: "4 KiB granule, 48-bit VA", options: {}, blocks: [1n << 21n, 1n << 30n] },
  {
    name: "4 KiB granule, 39-bit VA",
    options: { vaBits: 39, imageVa: 0xffffffc010000000n },
    blocks: [1n << 21n],
  },
  {
    name: "16 KiB granule, 47-bit VA",
    options: { pageShift: 14, vaBits: 47, imageVa: 0xffffc01000000000n },
    blocks: [1n << 25n],
  },
  {
    name: "64 KiB granule, 42-bit VA",
    options: { pageShift: 16, vaBits: 42, imageVa: 0xfffffe0010000000n },
    blocks: [1n << 29n],
  },
  {
    // before Linux commit 14c127c957c1 (v5.4): image and vmalloc low, the linear map high
    name: "4 KiB granule, 48-bit VA, the layout before the flip",
    options: { flipped: false, imageVa: 0xffff000010080000n },
    blocks: [1n << 21n],
  },
  {
    // PHYS_OFFSET wraps (memstart_addr −= _PAGE_OFFSET(48) − _PAGE_OFFSET(52)); RAM above 2^48
    name: "64 KiB granule, 52-bit kernel on 48-bit hardware, 52-bit physical addresses",
    options: {
      pageShift: 16,
      vaBits: 52,
      vaBitsActual: 48,
      physBits: 52,
      ramStart: 0x0008000040000000n,
      physOffset: 0x0008000040000000n - (0xffff000000000000n - 0xfff0000000000000n),
      imageVa: 0xffffa00010000000n,
    },
    blocks: [1n << 29n],
  },
];

for (const layout of layouts) {
  describe(`arm64 translation, ${layout.name}`, () => {
    const build = () => {
      const k = new FakeArm64Kernel(layout.options);
      const g = k.granule;
      // the image (mapped by the tables too, as swapper_pg_dir maps it), a vmalloc page, blocks
      const imageData = k.imagePa + 3n * g + 0x10n;
      k.image.write(imageData, text("kernel image data"));
      for (let off = 0n; off < 8n * g; off += g) k.map(k.imageVa + off, k.imagePa + off, g);
      const vmalloc = k.imageVa - (1n << 28n);
      k.map(vmalloc + g, k.ramStart + 0x3000000n, g);
      k.image.write(k.ramStart + 0x3000000n + 0x20n, text("a vmalloc page"));
      const blockVa = (size: bigint, i: number) =>
        (vmalloc & ~(size - 1n)) + (size << BigInt(2 + i));
      layout.blocks.forEach((size, i) => {
        const va = blockVa(size, i);
        const pa = k.ramStart + size * BigInt(1 + i);
        k.map(va, pa, size);
        k.image.write(pa + size / 2n + 0x40n, text(`inside a ${size >> 20n} MiB block`));
      });
      k.image.write(k.ramStart + 0x5000n, text("linear memory"));
      const blockReads = layout.blocks.map((size, i) => ({
        va: blockVa(size, i) + size / 2n + 0x40n,
        want: `inside a ${size >> 20n} MiB block`,
      }));
      return { k, image: k.finish(), vmalloc, imageData, blockReads };
    };

    it("reads the linear map, the image, a vmalloc page and block mappings", async () => {
      const { k, image, vmalloc, imageData, blockReads } = build();
      const dump = await openDumpFrom(
        new BufferRandomAccess(image.toElf({ machine: 183 })),
        "fake.elf",
      );
      const kernel = await openKernel(dump);
      assert.equal(kernel.arch.name, "arm64");
      assert.deepEqual(kernel.warnings, []);
      const read = async (va: bigint, n: number) => decode(await kernel.readVirtual(va, n));
      assert.equal(await read(k.linear(k.ramStart + 0x5000n), 13), "linear memory");
      assert.equal(await read(k.kimg(imageData), 17), "kernel image data");
      assert.equal(await read(vmalloc + k.granule + 0x20n, 14), "a vmalloc page");
      for (const b of blockReads) assert.equal(await read(b.va, b.want.length), b.want);
      assert.equal(kernel.directMapBase, BigInt.asUintN(64, k.linear(0n)));
      assert.equal(kernel.physBase, BigInt.asUintN(64, k.physOffset));
    });

    it("says an unmapped address is not mapped, and a user address is not a kernel one", async () => {
      const { image, vmalloc } = build();
      const elf = image.toElf({ machine: 183 });
      const kernel = await openKernel(await openDumpFrom(new BufferRandomAccess(elf), "f"));
      await assert.rejects(kernel.translate(vmalloc + 3n * (1n << 30n)), /is not mapped/);
      await assert.rejects(kernel.translate(0x400000n), /is not a kernel address/);
    });
  });
}

describe("arm64 translation without page tables in the dump", () => {
  it("reads the image by kimage_voffset, and faults elsewhere naming the missing table", async () => {
    const k = new FakeArm64Kernel();
    k.image.write(k.imagePa + 0x2000n, text("image, no tables"));
    const image = k.finish();
    image.pages.delete(k.root / 4096n); // swapper_pg_dir cut from the dump
    // kdump-compressed: no e_machine, so VMCOREINFO says arm64 (the header says x86_64)
    const dump = await openDumpFrom(new BufferRandomAccess(await image.toKdump("none")), "f");
    const kernel = await openKernel(dump);
    assert.equal(kernel.arch.name, "arm64");
    assert.equal(
      decode(await kernel.readVirtual(k.kimg(k.imagePa + 0x2000n), 16)),
      "image, no tables",
    );
    await assert.rejects(kernel.translate(k.imageVa - (1n << 32n)), (error: unknown) => {
      assert.ok(isCrashlensError(error));
      assert.equal(error.details.absent, true);
      assert.match(error.message, /page table at 0x41000000 is not in the dump/);
      return true;
    });
  });
});

describe("arm64 NT_PRSTATUS", () => {
  it("reads pr_pid and x0–x30, sp, pc, pstate from the 392-byte note", () => {
    const desc = new Uint8Array(392);
    const view = new DataView(desc.buffer);
    view.setInt32(32, 102, true);
    for (let i = 0; i < 34; i++) view.setBigUint64(112 + i * 8, 0x1000n + BigInt(i), true);
    const [cpu] = cpuStates([{ name: "CORE", type: 1, desc }], arm64.prstatus);
    assert.equal(cpu?.pid, 102);
    assert.equal(cpu?.registers.x0, 0x1000n);
    assert.equal(cpu?.registers.x29, 0x1000n + 29n);
    assert.equal(cpu?.registers.x30, 0x1000n + 30n);
    assert.equal(cpu?.registers.sp, 0x1000n + 31n);
    assert.equal(cpu?.registers.pc, 0x1000n + 32n);
    assert.equal(cpu?.registers.pstate, 0x1000n + 33n);
    assert.equal(cpu?.registers.rip, undefined);
    assert.equal(arm64.registers.fp, "x29");
    assert.equal(arm64.registers.lr, "x30");
  });
});
