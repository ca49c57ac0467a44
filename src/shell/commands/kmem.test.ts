/**
 * kmem's and irq's column layouts, checked against lines crash printed in real sessions
 * (quoted from public write-ups), and — when the lead's pruned fixture
 * testdata/dumps/hung-shell.kdump-zlib exists — `kmem` on a real dump.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { testdata } from "../../../test/shared.js";
import { MemMap, type PageLayout } from "../../kernel/mm/pages.js";
import type { SlabObjectInfo } from "../../kernel/mm/slab.js";
import type { SlabCacheUsage } from "../../kernel/mm/slab-caches.js";
import { formatIrq, IRQ_HEADER } from "./irq.js";
import {
  CACHE_HEADER,
  formatCacheRow,
  formatFreeBlock,
  formatMemInfo,
  formatObject,
  formatSlabRow,
  formatVmapRow,
  pageHeader,
  pagesToSize,
  SLAB_HEADER,
  VMAP_HEADER,
} from "./kmem.js";

const cache = (address: bigint, objectSize: number, name: string) => ({
  address,
  name,
  objectSize,
  size: objectSize,
  offset: 0,
  redLeftPad: 0,
  flags: 0,
  random: 0n,
  cpuSlab: 0n,
  order: 0,
  objectsPerSlab: 0,
  nodes: [],
});

describe("kmem -s / kmem ADDR rows", () => {
  it("the cache row matches crash's columns", () => {
    const usage: SlabCacheUsage = {
      cache: cache(0xffff888100044780n, 32, "kmalloc-32"),
      allocated: 11862,
      total: 45824,
      slabs: 358,
      slabSize: 4096,
      notes: [],
    };
    assert.equal(
      formatCacheRow(usage),
      "ffff888100044780       32      11862     45824    358     4k  kmalloc-32",
    );
    const sock: SlabCacheUsage = {
      ...usage,
      cache: cache(0xffff9cfc7f949800n, 768, "sock_inode_cache"),
      allocated: 2217,
      total: 18837,
      slabs: 483,
      slabSize: 32768,
    };
    assert.equal(
      formatCacheRow(sock),
      "ffff9cfc7f949800      768       2217     18837    483    32k  sock_inode_cache",
    );
    assert.equal(CACHE_HEADER.indexOf("OBJSIZE") + 7, formatCacheRow(usage).indexOf(" 32 ") + 3);
  });

  it("the slab row and objects match crash's columns", () => {
    const info = {
      cache: cache(0xffff888100044780n, 32, "kmalloc-32"),
      slab: {
        page: 0xffffea00330eac40n,
        memory: 0xffff888cc3ab1000n,
        firstObject: 0xffff888cc3ab1000n,
        node: 5,
        objects: 128,
        inuse: 20,
        frozen: false,
        free: 108,
      },
      state: "allocated",
      freeObjects: [{ address: 0xffff888cc3ab1000n }, { address: 0xffff99d4de046880n, cpu: 9 }],
      evidence: [],
    } as SlabObjectInfo;
    assert.equal(
      formatSlabRow(info),
      "  ffffea00330eac40  ffff888cc3ab1000     5    128         20   108",
    );
    assert.equal(SLAB_HEADER, "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE");
    assert.equal(formatObject(info, 0xffff888cc3ab1000n), "   ffff888cc3ab1000");
    assert.equal(formatObject(info, 0xffff99d4de046880n), "   ffff99d4de046880  (cpu 9 cache)");
    assert.equal(formatObject(info, 0xffff888cc3ab1020n), "  [ffff888cc3ab1020]");
    const unknown = { ...info, slab: { ...info.slab, free: undefined } } as SlabObjectInfo;
    assert.equal(
      formatObject(unknown, 0xffff888cc3ab1020n),
      "   ffff888cc3ab1020  (state unknown)",
    );
  });

  it("the page header widens with the physical addresses", () => {
    assert.equal(pageHeader(9), "      PAGE        PHYSICAL      MAPPING       INDEX CNT FLAGS");
    assert.equal(pageHeader(8), "      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS");
  });
});

describe("kmem on vmalloc addresses", () => {
  it("the vmap area row matches crash's", () => {
    assert.equal(
      formatVmapRow({
        area: 0xffff8a198dd6f6c0n,
        vm: 0xffff8aac56c65a80n,
        start: 0xffffb0ba31c74000n,
        end: 0xffffb0ba31c79000n,
      }),
      "ffff8a198dd6f6c0  ffff8aac56c65a80  ffffb0ba31c74000 - ffffb0ba31c79000    20480",
    );
    assert.equal(
      formatVmapRow({
        area: 0xffff8b7d8995a380n,
        vm: 0xffff8b7d83cf5500n,
        start: 0xffffffffc0e7e000n,
        end: 0xffffffffc0f64000n,
      }),
      "ffff8b7d8995a380  ffff8b7d83cf5500  ffffffffc0e7e000 - ffffffffc0f64000   942080",
    );
    assert.equal(
      VMAP_HEADER.length,
      formatVmapRow({ area: 1n, vm: 1n, start: 1n << 63n, end: (1n << 63n) + 20480n }).length,
    );
  });
});

describe("kmem on a free page", () => {
  it("the zone, area and place lines match crash's (kmem ffff880b2d700000)", async () => {
    const layout = {
      pageShift: 12,
      structPageSize: 64,
      directMapBase: 0xffff880000000000n,
      directMapEnd: 0xffffc80000000000n,
      vmemmapEnd: 0xffffeb0000000000n,
      memMap: { kind: "vmemmap", base: 0xffffea0000000000n },
    } as unknown as PageLayout;
    const mem = new MemMap(layout, async () => new Uint8Array(64));
    const zone = {
      node: 0,
      index: 2,
      address: 0n,
      name: "Normal",
      startPfn: 0x100000n,
      spannedPages: 12058624n,
      freePages: 1870387n,
      freeArea: 0n,
    };
    const lines = await formatFreeBlock(
      mem,
      {
        zone,
        order: 3,
        headPfn: 0xb2d700n,
        headPage: 0xffffea002cb5c000n,
        freeArea: 0xffff880c7ffd11c8n,
      },
      0xb2d700n,
    );
    assert.equal(
      lines[0],
      "ZONE  NAME        SIZE    FREE      MEM_MAP       START_PADDR  START_MAPNR",
    );
    // crash printed START_MAPNR 1048575 for this zone starting at pfn 0x100000; we print the pfn
    assert.equal(
      lines[1],
      "  2   Normal    12058624  1870387  ffffea0004000000   100000000     1048576  ",
    );
    assert.equal(lines[2], "AREA    SIZE  FREE_AREA_STRUCT");
    assert.equal(lines[3], "  3      32k  ffff880c7ffd11c8  ");
    assert.equal(lines[4], "ffffea002cb5c000  (ffff880b2d700000 is 1st of 8 pages)");
    const third = await formatFreeBlock(
      mem,
      { zone, order: 3, headPfn: 0xb2d700n, headPage: 0xffffea002cb5c000n, freeArea: 0n },
      0xb2d702n,
    );
    assert.equal(third[4], "ffffea002cb5c000  (ffff880b2d702000 is 3rd of 8 pages)");
  });
});

describe("kmem -i", () => {
  it("pages_to_size drops .0 and picks crash's units", () => {
    assert.equal(pagesToSize(0, 4096), "0");
    assert.equal(pagesToSize(262143, 4096), "1024 MB");
    assert.equal(pagesToSize(524287, 4096), "2 GB");
    assert.equal(pagesToSize(1967124, 4096), "7.5 GB");
    assert.equal(pagesToSize(416, 4096), "1.6 MB");
    assert.equal(pagesToSize(100, 4096), "400 KB");
  });

  it("reproduces a real crash kmem -i table from the same numbers", () => {
    const lines = formatMemInfo({
      pageSize: 4096,
      notes: [],
      totalRam: 1967124,
      free: 1717034,
      shared: 17897,
      buffers: 416,
      cached: 162660,
      slab: 24170,
      hugeTotal: 0,
      hugeFree: 0,
      swapTotal: 0,
      swapFree: 0,
      commitLimit: 983562,
      committed: 87929,
    });
    assert.deepEqual(lines, [
      "                 PAGES        TOTAL      PERCENTAGE",
      "    TOTAL MEM  1967124       7.5 GB         ----",
      "         FREE  1717034       6.5 GB   87% of TOTAL MEM",
      "         USED   250090     976.9 MB   12% of TOTAL MEM",
      "       SHARED    17897      69.9 MB    0% of TOTAL MEM",
      "      BUFFERS      416       1.6 MB    0% of TOTAL MEM",
      "       CACHED   162660     635.4 MB    8% of TOTAL MEM",
      "         SLAB    24170      94.4 MB    1% of TOTAL MEM",
      "",
      "   TOTAL HUGE        0            0         ----",
      "    HUGE FREE        0            0    0% of TOTAL HUGE",
      "",
      "   TOTAL SWAP        0            0         ----",
      "    SWAP USED        0            0    0% of TOTAL SWAP",
      "    SWAP FREE        0            0    0% of TOTAL SWAP",
      "",
      " COMMIT LIMIT   983562       3.8 GB         ----",
      "    COMMITTED    87929     343.5 MB    8% of TOTAL LIMIT",
    ]);
  });
});

describe("irq", () => {
  it("rows match crash's, with unused lines and shared actions", () => {
    assert.equal(IRQ_HEADER, " IRQ   IRQ_DESC/_DATA      IRQACTION      NAME");
    assert.deepEqual(
      formatIrq(8, 0xff352c0107c1d800n, [{ address: 0xff352c808b608900n, name: "rtc0" }]),
      ['  8   ff352c0107c1d800  ff352c808b608900  "rtc0"'],
    );
    assert.deepEqual(formatIrq(1, 0xff352c0107c1ca00n, []), [
      "  1   ff352c0107c1ca00      (unused)      ",
    ]);
    const shared = formatIrq(11, 0xffff88001f806d00n, [
      { address: 0xffff88001a337100n, name: "uhci_hcd:usb1" },
      { address: 0xffff88001a337200n, name: "eth0" },
    ]);
    assert.equal(shared.length, 2);
    assert.equal(shared[1]?.indexOf("ffff88001a337200"), shared[0]?.indexOf("ffff88001a337100"));
  });
});

const fixture = testdata("dumps", "hung-shell.kdump-zlib");
describe("kmem on the pruned hung fixture", {
  skip: existsSync(fixture) ? false : `${fixture} is not there yet`,
}, () => {
  it("names the sh task (pid 100) as an allocated task_struct object", async () => {
    const { Kernel } = await import("../../kernel/kernel.js");
    const { ShellSession } = await import("../session.js");
    const kernel = await Kernel.open(fixture);
    try {
      const session = new ShellSession(kernel, { files: { dump: fixture } });
      // crash's ps on the same run: pid 100 "sh" is task ffff8bec42af20c0
      const result = await session.run("kmem ffff8bec42af2124");
      assert.equal(result.errors, "");
      const lines = result.output.split("\n");
      assert.match(lines[1] as string, /^[0-9a-f]{16} {5}8328 .* task_struct$/);
      assert.equal(lines[5], "  [ffff8bec42af20c0]");
    } finally {
      await kernel.close();
    }
  });
});
