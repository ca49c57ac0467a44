/**
 * pfn ↔ struct page arithmetic (vmemmap and mem_section decoding), direct-map conversion,
 * address regions, page types and flag names, on layouts written here with the lab kernel's
 * values (Debian 6.1, KASLR).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  classifyAddress,
  decodePageFlags,
  hasPageType,
  isSlabPage,
  MemMap,
  type PageInfo,
  type PageLayout,
  pfnToPage,
} from "./pages.js";

const vmemmap = 0xfffff7f840000000n;
const directMapBase = 0xffff8bec40000000n;

function layout(overrides: Partial<PageLayout> = {}): PageLayout {
  return {
    pageShift: 12,
    structPageSize: 64,
    levels: 4,
    directMapBase,
    directMapEnd: 0xffffd0a900000000n,
    vmallocBase: 0xffffd0a900000000n,
    vmallocEnd: 0xffffd0a900000000n + (32n << 40n),
    vmemmapBase: vmemmap,
    vmemmapEnd: vmemmap + (1n << 40n),
    userEnd: 0x0000800000000000n,
    physBase: -222298112n,
    memMap: { kind: "vmemmap", base: vmemmap },
    offsets: { flags: 0, compoundHead: 8, refcount: 52, mapping: 24, index: 32, mapcount: 48 },
    flags: {
      slab: 9,
      head: 16,
      names: new Map([
        [0, "locked"],
        [9, "slab"],
        [10, "owner_priv_1"],
        [12, "reserved"],
        [16, "head"],
      ]),
      count: 24,
      buddyType: -129,
    },
    kernelImage: { start: 0xffffffff98800000n, end: 0xffffffff9b030000n },
    perCpu: { offsets: [0xffff8bec4f800000n, 0xffff8bec4f900000n], unitSize: 1 << 20, start: 0n },
    ...overrides,
  };
}

const noRead = async (): Promise<bigint[]> => {
  throw new Error("vmemmap needs no reads");
};

describe("pfn and struct page", () => {
  it("vmemmap: page = vmemmap_base + pfn * sizeof(struct page), and back", async () => {
    const l = layout();
    // the lab's sh task_struct at ffff8bec42af20c0: pfn 0x2af2, page fffff7f8400abc80
    assert.equal(await pfnToPage(l, 0x2af2n, noRead), 0xfffff7f8400abc80n);
    const mem = new MemMap(l, async () => new Uint8Array(64));
    assert.equal(mem.pageToPfn(0xfffff7f8400abc80n), 0x2af2n);
    assert.equal(mem.pageToPfn(0xfffff7f8400abc88n), undefined, "not a struct page boundary");
    assert.equal(mem.pageToPfn(vmemmap - 64n), undefined);
    assert.equal(mem.directToPhys(0xffff8bec42af20c0n), 0x2af20c0n);
    assert.equal(mem.physToDirect(0x2af20c0n), 0xffff8bec42af20c0n);
    assert.equal(
      mem.directToPhys(0xffffffff9a21aa40n),
      undefined,
      "kernel image is not direct map",
    );
  });

  it("SPARSEMEM_EXTREME: root pointer → section entry → encoded mem_map", async () => {
    const root = 0xffff8b9d0fe98000n;
    const table = 0xffff8b9d0fe99000n;
    const memMap = 0xffffea0000000000n;
    // section 3 (pfns 0x18000..0x1ffff): section_mem_map = mem_map - first pfn * 64, flags low
    const encoded = memMap - 0x18000n * 64n;
    const words = new Map<bigint, bigint>([
      [root, table],
      [table + 3n * 16n, encoded | 0x7n],
    ]);
    const read = async (address: bigint, count: number) => {
      assert.equal(count, 1);
      const value = words.get(address);
      if (value === undefined) throw new Error(`unexpected read ${address.toString(16)}`);
      return [value];
    };
    const l = layout({
      memMap: {
        kind: "sections",
        root,
        extreme: true,
        sectionSizeBits: 27,
        entrySize: 16,
        roots: 2048,
        mapMask: 0xfffn,
      },
    });
    assert.equal(await pfnToPage(l, 0x18005n, read), memMap + 0x5n * 64n);
    await assert.rejects(pfnToPage(l, 0x8000n, read), /unexpected read/);
  });

  it("static mem_section array: the entry is indexed directly", async () => {
    const root = 0xffffffff9abaa000n;
    const encoded = 0xffffea0000000000n - 0x8000n * 64n;
    const read = async (address: bigint) => {
      assert.equal(address, root + 1n * 16n);
      return [encoded | 0x3n];
    };
    const l = layout({
      memMap: {
        kind: "sections",
        root,
        extreme: false,
        sectionSizeBits: 27,
        entrySize: 16,
        roots: 1,
        mapMask: 0xfffn,
      },
    });
    assert.equal(await pfnToPage(l, 0x8001n, read), 0xffffea0000000040n);
  });

  it("an empty section is a fault, not a wild pointer", async () => {
    const l = layout({
      memMap: {
        kind: "sections",
        root: 0x1000n,
        extreme: true,
        sectionSizeBits: 27,
        entrySize: 16,
        roots: 2048,
        mapMask: 0xfffn,
      },
    });
    await assert.rejects(
      pfnToPage(l, 0x1n, async () => [0n]),
      /empty/,
    );
  });
});

describe("address regions", () => {
  const l = layout();
  const kind = (a: bigint) => classifyAddress(l, a).kind;
  it("classifies the lab kernel's addresses", () => {
    assert.equal(kind(0x7ffc12345678n), "user");
    assert.equal(kind(0x0000800000000000n), "non-canonical");
    assert.equal(kind(0xdead000000000110n), "non-canonical");
    assert.equal(kind(0xffff8bec42af20c0n), "direct-map");
    assert.equal(kind(0xffffd0a9000f7e38n), "vmalloc");
    assert.equal(kind(0xfffff7f8400abc80n), "vmemmap");
    assert.equal(kind(0xfffffe0000014000n), "cpu-entry-area");
    assert.equal(kind(0xffffffff9a21aa40n), "kernel-image");
    assert.equal(kind(0xffffffffc0478200n), "module");
    assert.equal(kind(0xffffffffff5fc000n), "fixmap");
  });
  it("per-CPU units are found inside the direct map, with their CPU", () => {
    const r = classifyAddress(l, 0xffff8bec4f9379b0n);
    assert.equal(r.kind, "per-cpu");
    assert.equal(r.cpu, 1);
    assert.equal(classifyAddress(l, 0xffff8bec4f8379b0n).cpu, 0);
    assert.equal(kind(0xffff8bec4fa00000n), "direct-map", "past the last unit");
  });
});

describe("page flags and types", () => {
  const l = layout();
  const page = (flags: bigint, mapcount = -1): PageInfo => ({
    address: vmemmap,
    pfn: 0n,
    flags,
    refcount: 1,
    mapping: 0n,
    index: 0n,
    mapcount,
  });
  it("PG_slab from VMCOREINFO's bit; names in bit order; node/zone bits ignored", () => {
    assert.equal(isSlabPage(l.flags, page(0xfffffc0010200n)), true);
    assert.equal(isSlabPage(l.flags, page(0xfffffc0001000n)), false);
    assert.deepEqual(decodePageFlags(l.flags, 0xfffffc0011201n), [
      "locked",
      "slab",
      "reserved",
      "head",
    ]);
  });
  it("page types: the pre-v6.10 whole word, and the v6.10+ top byte", () => {
    assert.equal(hasPageType(-129, -129), true, "PageBuddy: PAGE_BUDDY_MAPCOUNT_VALUE");
    assert.equal(hasPageType(-129, -1), false);
    assert.equal(hasPageType(undefined, -129), false);
    // v6.12 PGTY_slab = 0xf5 in the top byte, the low bytes are free for other use
    const slabType = 0xf5000000 | 0;
    assert.equal(hasPageType(slabType, 0xf5000123 | 0), true);
    assert.equal(hasPageType(slabType, 0xf4000000 | 0), false);
    assert.equal(
      isSlabPage({ names: new Map(), count: 0, slabType }, page(0n, 0xf5000000 | 0)),
      true,
    );
  });
});
