/**
 * @module kernel/mm/pages
 * Physical pages and their `struct page`s, read from the dump with no debuginfo: pfn ↔
 * `struct page` (the virtual memmap at `vmemmap_base`, or the `mem_section` table that
 * VMCOREINFO locates), direct-map virtual ↔ physical, page flags (bit numbers from VMCOREINFO
 * `NUMBER(PG_slab)`/`NUMBER(PG_head_mask)`, names from BTF `enum pageflags`), compound heads,
 * and which region of the x86-64 address space an address is in
 * (Documentation/arch/x86/x86_64/mm.rst).
 */
import { CrashlensError } from "../../errors.js";
import type { Kernel } from "../kernel.js";
import { type PageFlagInfo, type PageLayout, readLayout } from "./page-layout.js";
import { type AddressRegion, classifyAddress } from "./regions.js";

export type {
  MemMapModel,
  PageFlagInfo,
  PageLayout,
  PageOffsets,
} from "./page-layout.js";
export { type AddressKind, type AddressRegion, classifyAddress } from "./regions.js";

/** The fields of one `struct page` that kmem and slab read. */
export interface PageInfo {
  address: bigint;
  pfn: bigint;
  flags: bigint;
  refcount: number;
  mapping: bigint;
  index: bigint;
  /** `_mapcount`/`page_type` as signed 32 bits */
  mapcount: number;
  /** the head page when this is a tail page (compound_head with bit 0 set) */
  head?: bigint;
}

type ReadWords = (address: bigint, count: number) => Promise<bigint[]>;
type ReadBytes = (address: bigint, length: number) => Promise<Uint8Array>;

/** Pfn, page and address arithmetic over a `PageLayout`; reads go through `read`. */
export class MemMap {
  private readonly pageCache = new Map<bigint, PageInfo>();
  constructor(
    readonly layout: PageLayout,
    private readonly read: ReadBytes,
  ) {}

  private async words(address: bigint, count: number): Promise<bigint[]> {
    const bytes = await this.read(address, count * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: count }, (_, i) => view.getBigUint64(i * 8, true));
  }

  get pageSize(): bigint {
    return 1n << BigInt(this.layout.pageShift);
  }

  /** the `struct page` of a page frame number */
  async pfnToPage(pfn: bigint): Promise<bigint> {
    return pfnToPage(this.layout, pfn, (a, n) => this.words(a, n));
  }

  /** the pfn a `struct page` address describes, or undefined when it is not in the memmap */
  pageToPfn(page: bigint): bigint | undefined {
    const model = this.layout.memMap;
    const size = BigInt(this.layout.structPageSize);
    if (model.kind !== "vmemmap") return undefined;
    if (page < model.base || page >= this.layout.vmemmapEnd) return undefined;
    if ((page - model.base) % size !== 0n) return undefined;
    return (page - model.base) / size;
  }

  /** the physical address of a direct-map address, or undefined outside the direct map */
  directToPhys(va: bigint): bigint | undefined {
    const { directMapBase, directMapEnd } = this.layout;
    return va >= directMapBase && va < directMapEnd ? va - directMapBase : undefined;
  }

  /** the direct-map (`__va()`) address of a physical address */
  physToDirect(pa: bigint): bigint {
    return this.layout.directMapBase + pa;
  }

  /** the region an address is in */
  classify(address: bigint): AddressRegion {
    return classifyAddress(this.layout, address);
  }

  /** reads the fields of `struct page` at `page` (cached: a dump does not change) */
  async readPage(page: bigint): Promise<PageInfo> {
    const cached = this.pageCache.get(page);
    if (cached !== undefined) return cached;
    const { offsets, structPageSize } = this.layout;
    const bytes = await this.read(page, structPageSize);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const compound = view.getBigUint64(offsets.compoundHead, true);
    const pfn = this.pageToPfn(page) ?? -1n;
    const info: PageInfo = {
      address: page,
      pfn,
      flags: view.getBigUint64(offsets.flags, true),
      refcount: view.getInt32(offsets.refcount, true),
      mapping: view.getBigUint64(offsets.mapping, true),
      index: view.getBigUint64(offsets.index, true),
      mapcount: view.getInt32(offsets.mapcount, true),
    };
    // a tail page's compound_head is the head's address + 1 (include/linux/page-flags.h)
    if ((compound & 1n) === 1n) info.head = compound - 1n;
    if (this.pageCache.size > 65536) this.pageCache.clear();
    this.pageCache.set(page, info);
    return info;
  }

  /**
   * The `struct page`s of `count` pfns from `first`, read in one go (vmemmap) or one by one
   * (mem_section); pages whose memmap is not in the dump are left out.
   */
  async readPageRange(first: bigint, count: number): Promise<PageInfo[]> {
    const { offsets, structPageSize, memMap } = this.layout;
    const pages: PageInfo[] = [];
    if (memMap.kind !== "vmemmap") {
      for (let i = 0; i < count; i++) {
        try {
          pages.push(await this.readPage(await this.pfnToPage(first + BigInt(i))));
        } catch {
          // a hole in the memmap
        }
      }
      return pages;
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.read(memMap.base + first * BigInt(structPageSize), count * structPageSize);
    } catch {
      return pages;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) {
      const at = i * structPageSize;
      const compound = view.getBigUint64(at + offsets.compoundHead, true);
      const info: PageInfo = {
        address: memMap.base + (first + BigInt(i)) * BigInt(structPageSize),
        pfn: first + BigInt(i),
        flags: view.getBigUint64(at + offsets.flags, true),
        refcount: view.getInt32(at + offsets.refcount, true),
        mapping: view.getBigUint64(at + offsets.mapping, true),
        index: view.getBigUint64(at + offsets.index, true),
        mapcount: view.getInt32(at + offsets.mapcount, true),
      };
      if ((compound & 1n) === 1n) info.head = compound - 1n;
      pages.push(info);
    }
    return pages;
  }

  /** the head page of a compound page (the page itself when it is not a tail) */
  async compoundHead(page: bigint): Promise<bigint> {
    return (await this.readPage(page)).head ?? page;
  }

  /** whether a (head) page is a slab page: PG_slab, or the slab page type since v6.10 */
  isSlab(info: PageInfo): boolean {
    return isSlabPage(this.layout.flags, info);
  }

  isBuddy(info: PageInfo): boolean {
    return hasPageType(this.layout.flags.buddyType, info.mapcount);
  }

  /** crash's FLAGS names for a flags word: `slab,head` */
  flagNames(flags: bigint): string[] {
    return decodePageFlags(this.layout.flags, flags);
  }
}

/** the `struct page` of `pfn` under either memmap model */
export async function pfnToPage(
  layout: PageLayout,
  pfn: bigint,
  words: ReadWords,
): Promise<bigint> {
  const size = BigInt(layout.structPageSize);
  const model = layout.memMap;
  if (model.kind === "vmemmap") return model.base + pfn * size;
  const sectionShift = BigInt(model.sectionSizeBits - layout.pageShift);
  const nr = pfn >> sectionShift;
  const perRoot = model.extreme ? (1n << BigInt(layout.pageShift)) / BigInt(model.entrySize) : 1n;
  const rootIndex = nr / perRoot;
  if (model.extreme && rootIndex >= BigInt(model.roots))
    throw new CrashlensError("fault", `pfn 0x${pfn.toString(16)} is beyond mem_section`);
  let entry: bigint;
  if (model.extreme) {
    const [table] = await words(model.root + rootIndex * 8n, 1);
    if (table === undefined || table === 0n)
      throw new CrashlensError(
        "fault",
        `pfn 0x${pfn.toString(16)}: mem_section root ${rootIndex} is empty (no memory there)`,
      );
    entry = table + (nr % perRoot) * BigInt(model.entrySize);
  } else {
    entry = model.root + nr * BigInt(model.entrySize);
  }
  const [encoded] = await words(entry, 1);
  if (encoded === undefined || encoded === 0n)
    throw new CrashlensError("fault", `pfn 0x${pfn.toString(16)}: its mem_section has no mem_map`);
  // section_mem_map holds mem_map minus the section's first pfn, with flags in its low bits
  // (sparse_encode_mem_map() in mm/sparse.c); the result points at this pfn's page
  return (encoded & ~model.mapMask) + pfn * size;
}

/** whether a page type (`page_type` in `_mapcount`) matches a VMCOREINFO type value */
export function hasPageType(typeValue: number | undefined, mapcount: number): boolean {
  if (typeValue === undefined) return false;
  // v6.10+ keeps the type in the top byte (PGTY_*); before, a type clears one bit below
  // PAGE_TYPE_BASE and the whole word equals the exported value
  if ((typeValue & 0xffffff) === 0) return mapcount >>> 24 === typeValue >>> 24;
  return mapcount === typeValue;
}

export function isSlabPage(flags: PageFlagInfo, info: PageInfo): boolean {
  if (flags.slab !== undefined) return ((info.flags >> BigInt(flags.slab)) & 1n) === 1n;
  return hasPageType(flags.slabType, info.mapcount);
}

export function decodePageFlags(flags: PageFlagInfo, value: bigint): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < flags.count && bit < 64; bit++) {
    if (((value >> BigInt(bit)) & 1n) === 0n) continue;
    names.push(flags.names.get(bit) ?? `bit${bit}`);
  }
  return names;
}

/** The pages model of a kernel, computed once. */
export function readMemMap(kernel: Kernel): Promise<MemMap> {
  return kernel.facet(
    "mm.pages",
    async () => new MemMap(await readLayout(kernel), (a, n) => kernel.memory.read(a, n)),
  );
}
