/**
 * @module kernel/mm/page-layout
 * How this kernel lays out pages, read once from VMCOREINFO, kallsyms and BTF: the KASLR'd
 * region bases (`page_offset_base`, `vmalloc_base`, `vmemmap_base`), the memmap model
 * (virtual memmap, or the `mem_section` table), `struct page` field offsets, the flag bits
 * (`NUMBER(PG_slab)`, `NUMBER(PG_head_mask)`, names from BTF `enum pageflags`) and page types.
 */
import { CrashlensError } from "../../errors.js";
import type { Kernel } from "../kernel.js";
import { readPerCpuOffsets } from "./cpu-offsets.js";
import { fixedRegions, START_KERNEL_MAP } from "./regions.js";

/** How pfns map to `struct page` addresses. */
export type MemMapModel =
  | { kind: "vmemmap"; base: bigint }
  | {
      kind: "sections";
      /** the root table: `mem_section` (a pointer with SPARSEMEM_EXTREME, else the array) */
      root: bigint;
      extreme: boolean;
      /** log2 bytes per section: NUMBER(SECTION_SIZE_BITS) */
      sectionSizeBits: number;
      /** SIZE(mem_section) */
      entrySize: number;
      /** LENGTH(mem_section): NR_SECTION_ROOTS */
      roots: number;
      /** bits of section_mem_map that are flags, not address */
      mapMask: bigint;
    };

/** Field offsets in `struct page` (VMCOREINFO OFFSET(page.*) first, BTF otherwise). */
export interface PageOffsets {
  flags: number;
  compoundHead: number;
  refcount: number;
  mapping: number;
  index: number;
  /** `_mapcount`, which is `page_type` for typed pages (buddy, slab since v6.10) */
  mapcount: number;
}

/** Which flag bits and page types mean what, from VMCOREINFO and BTF. */
export interface PageFlagInfo {
  slab?: number;
  head?: number;
  reserved?: number;
  /** names by bit, lower case without `PG_` (crash's spelling) */
  names: ReadonlyMap<number, string>;
  /** __NR_PAGEFLAGS: bits above are section/node/zone */
  count: number;
  /** NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE) */
  buddyType?: number;
  /** NUMBER(PAGE_SLAB_MAPCOUNT_VALUE): slab as a page type (v6.10+, where PG_slab is gone) */
  slabType?: number;
}

export interface PageLayout {
  pageShift: number;
  structPageSize: number;
  levels: 4 | 5;
  directMapBase: bigint;
  /** end of the direct map region (start of the KASLR gap before vmalloc) */
  directMapEnd: bigint;
  vmallocBase: bigint;
  vmallocEnd: bigint;
  vmemmapBase: bigint;
  vmemmapEnd: bigint;
  userEnd: bigint;
  physBase: bigint;
  memMap: MemMapModel;
  offsets: PageOffsets;
  flags: PageFlagInfo;
  kernelImage: { start: bigint; end: bigint };
  /** per-CPU units in the direct map: [offset, offset + unitSize) per CPU */
  perCpu: { offsets: readonly (bigint | undefined)[]; unitSize: number; start: bigint };
}

export async function readLayout(kernel: Kernel): Promise<PageLayout> {
  const info = kernel.view.vmcoreinfo;
  // the region bases below are x86-64's; arm64 VMCOREINFO says VA_BITS instead
  if (info.numbers.has("VA_BITS") && !info.numbers.has("pgtable_l5_enabled"))
    throw new CrashlensError(
      "unsupported",
      "pages and address regions are read for x86-64 kernels only; this dump's VMCOREINFO has VA_BITS (arm64)",
    );
  const symbols = await kernel.symbols();
  let btf: Awaited<ReturnType<Kernel["btf"]>> | undefined;
  try {
    btf = await kernel.btf();
  } catch {
    // VMCOREINFO alone still gives the page offsets and flag bits that matter most
  }
  const levels: 4 | 5 = info.numbers.get("pgtable_l5_enabled") === 1n ? 5 : 4;
  const fixed = fixedRegions[levels];
  const pageShift = Math.log2(info.pageSize ?? 4096);
  // With CONFIG_RANDOMIZE_MEMORY the three region bases are variables
  // (arch/x86/mm/kaslr.c: page_offset_base, vmalloc_base, vmemmap_base); without it the
  // symbols are absent and the fixed bases apply.
  const variable = async (name: string): Promise<bigint | undefined> => {
    const at = symbols.lookup(name)?.address;
    if (at === undefined) return undefined;
    try {
      return await kernel.memory.u64(at);
    } catch {
      return undefined;
    }
  };
  const directMapBase =
    kernel.view.directMapBase ?? (await variable("page_offset_base")) ?? fixed.pageOffset;
  const vmallocBase = (await variable("vmalloc_base")) ?? fixed.vmalloc;
  const vmemmapBase = (await variable("vmemmap_base")) ?? fixed.vmemmap;
  const structPageSize =
    info.sizes.get("page") ?? (btf?.find("struct page")?.size as number | undefined) ?? 64;

  const memMap = await readMemMapModel(
    kernel,
    vmemmapBase,
    symbols.lookup("vmemmap_base") !== undefined,
  );
  const offset = (name: string, fallback: number): number =>
    info.offsets.get(`page.${name}`) ?? btf?.offsetof("page", name) ?? fallback;
  const offsets: PageOffsets = {
    flags: offset("flags", 0),
    compoundHead: offset("compound_head", 8),
    refcount: offset("_refcount", 52),
    mapping: offset("mapping", 24),
    index: offset("index", 32),
    mapcount: offset("_mapcount", 48),
  };
  const flags = readFlagInfo(info.numbers, btf);
  const image = {
    start: symbols.lookup("_text")?.address ?? START_KERNEL_MAP,
    end: symbols.lookup("_end")?.address ?? START_KERNEL_MAP + (1n << 30n),
  };
  let perCpu: PageLayout["perCpu"] = { offsets: [], unitSize: 0, start: 0n };
  try {
    const pcpu = await readPerCpuOffsets(kernel);
    perCpu = { offsets: pcpu.offsets, unitSize: pcpu.unitSize ?? 0, start: pcpu.start };
  } catch {
    // a kernel without per-CPU offsets: nothing is classified per-cpu
  }
  return {
    pageShift,
    structPageSize,
    levels,
    directMapBase,
    directMapEnd: vmallocBase > directMapBase ? vmallocBase : directMapBase + (1n << 46n),
    vmallocBase,
    vmallocEnd: vmallocBase + fixed.vmallocSize,
    vmemmapBase,
    vmemmapEnd: vmemmapBase + fixed.vmemmapSize,
    userEnd: fixed.userEnd,
    physBase: kernel.view.physBase,
    memMap,
    offsets,
    flags,
    kernelImage: image,
    perCpu,
  };
}

async function readMemMapModel(
  kernel: Kernel,
  vmemmapBase: bigint,
  kaslr: boolean,
): Promise<MemMapModel> {
  const info = kernel.view.vmcoreinfo;
  const root = info.symbols.get("mem_section");
  const sectionSizeBits = info.numbers.get("SECTION_SIZE_BITS");
  // the KASLR'd vmemmap_base is authoritative for CONFIG_SPARSEMEM_VMEMMAP (every x86-64
  // distribution kernel); the mem_section table is the fallback for other memory models
  if (kaslr || root === undefined || sectionSizeBits === undefined)
    return { kind: "vmemmap", base: vmemmapBase };
  // VMCOREINFO_SYMBOL_ARRAY(mem_section) writes the pointer's value under SPARSEMEM_EXTREME
  // (mem_section is a `struct mem_section **`) and the array's address otherwise: compare
  // with where kallsyms puts the variable to tell which
  const symbol = (await kernel.symbols()).lookup("mem_section")?.address;
  // the low bits of section_mem_map are flags (SECTION_MARKED_PRESENT .. SECTION_MAP_LAST_BIT,
  // at most 6 of them in v6.x); the encoded mem_map is page-aligned, so the low 12 bits go
  const mapMask = 0xfffn;
  return {
    kind: "sections",
    root,
    extreme: symbol !== undefined && symbol !== root,
    sectionSizeBits: Number(sectionSizeBits),
    entrySize: info.sizes.get("mem_section") ?? 16,
    roots: info.lengths.get("mem_section") ?? 1,
    mapMask,
  };
}

type Btf = Awaited<ReturnType<Kernel["btf"]>>;

function readFlagInfo(numbers: ReadonlyMap<string, bigint>, btf: Btf | undefined): PageFlagInfo {
  const names = new Map<number, string>();
  let count = 0;
  const enumeration = btf?.find("enum pageflags");
  for (const value of enumeration?.enumValues ?? []) {
    if (value.name === "__NR_PAGEFLAGS") count = Number(value.value);
    else if (value.name.startsWith("PG_") && !names.has(Number(value.value)))
      names.set(Number(value.value), value.name.slice(3).toLowerCase());
  }
  const bitOf = (name: string): number | undefined => {
    for (const [bit, n] of names) if (n === name) return bit;
    return undefined;
  };
  const number = (name: string): number | undefined => {
    const v = numbers.get(name);
    return v === undefined ? undefined : Number(v);
  };
  const headMask = numbers.get("PG_head_mask");
  const flags: PageFlagInfo = { names, count: count || 64 };
  // Linux kernel commit 46df8e73a4a3 ("mm: free up PG_slab") (in v6.10) made slab a page
  // type: VMCOREINFO then exports PAGE_SLAB_MAPCOUNT_VALUE instead of PG_slab
  const slab =
    number("PG_slab") ??
    (number("PAGE_SLAB_MAPCOUNT_VALUE") === undefined ? bitOf("slab") : undefined);
  if (slab !== undefined) flags.slab = slab;
  const head =
    headMask !== undefined && headMask > 0n ? headMask.toString(2).length - 1 : bitOf("head");
  if (head !== undefined) flags.head = head;
  const reserved = bitOf("reserved");
  if (reserved !== undefined) flags.reserved = reserved;
  const buddy = number("PAGE_BUDDY_MAPCOUNT_VALUE");
  if (buddy !== undefined) flags.buddyType = buddy | 0;
  const slabType = number("PAGE_SLAB_MAPCOUNT_VALUE");
  if (slabType !== undefined) flags.slabType = slabType | 0;
  return flags;
}
