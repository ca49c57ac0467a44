/**
 * @module kernel/mm/meminfo
 * The memory summary `kmem -i` prints, from the kernel's own counters: `_totalram_pages`,
 * the global vmstat arrays `vm_zone_stat[]`/`vm_node_stat[]` (item numbers from BTF's
 * `enum zone_stat_item`/`enum node_stat_item`), block-device page-cache pages
 * (`nr_blockdev_pages()`), hugetlb `hstates[]`, swap totals and the overcommit accounting
 * (`vm_commit_limit()`, `vm_committed_as`) — the same sources as /proc/meminfo.
 */
import type { Kernel } from "../kernel.js";
import { cpuTopology } from "../percpu.js";
import { readMemMap } from "./pages.js";

/** block devices are few; a damaged s_inodes list must still end */
const maxBlockInodes = 100_000;

/** Page counts; undefined where the kernel's counter could not be read. */
export interface MemInfo {
  totalRam?: number;
  free?: number;
  /** crash's SHARED: non-reserved pages with a page count above 1 (a memmap scan) */
  shared?: number;
  buffers?: number;
  cached?: number;
  slab?: number;
  hugeTotal?: number;
  hugeFree?: number;
  swapTotal?: number;
  swapFree?: number;
  commitLimit?: number;
  committed?: number;
  pageSize: number;
  /** what could not be read, and why */
  notes: string[];
}

type Ctx = { kernel: Kernel; notes: string[] };

async function symbol(ctx: Ctx, name: string): Promise<bigint | undefined> {
  return (await ctx.kernel.symbols()).lookup(name)?.address;
}

async function readLong(ctx: Ctx, name: string): Promise<number | undefined> {
  const at = await symbol(ctx, name);
  if (at === undefined) return undefined;
  try {
    return Number(await ctx.kernel.memory.s64(at));
  } catch (error) {
    ctx.notes.push(`${name} cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

/** an item of a global vmstat array, by the item's name in the enum */
async function vmstat(
  ctx: Ctx,
  array: "vm_zone_stat" | "vm_node_stat",
  item: string,
): Promise<number | undefined> {
  const btf = await ctx.kernel.btf();
  const enumeration = btf.find(
    array === "vm_zone_stat" ? "enum zone_stat_item" : "enum node_stat_item",
  );
  const index = enumeration?.enumValues?.find((v) => v.name === item)?.value;
  const at = await symbol(ctx, array);
  if (index === undefined || at === undefined) return undefined;
  try {
    return Number(await ctx.kernel.memory.s64(at + index * 8n));
  } catch (error) {
    ctx.notes.push(`${array}[${item}] cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

/** a counter that moved from the zone to the node array over the years: try the node first */
async function anyStat(ctx: Ctx, ...items: string[]): Promise<number | undefined> {
  for (const item of items) {
    const value =
      (await vmstat(ctx, "vm_node_stat", item)) ?? (await vmstat(ctx, "vm_zone_stat", item));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** `nr_blockdev_pages()`: the page cache of every block-device inode (fs/block_dev.c) */
async function blockdevPages(ctx: Ctx): Promise<number | undefined> {
  const { kernel } = ctx;
  const btf = await kernel.btf();
  const sb = await symbol(ctx, "blockdev_superblock");
  const sInodes = btf.offsetof("super_block", "s_inodes");
  const iSbList = btf.offsetof("inode", "i_sb_list");
  const iMapping = btf.offsetof("inode", "i_mapping");
  const nrpages = btf.offsetof("address_space", "nrpages");
  if (
    sb === undefined ||
    sInodes === undefined ||
    iSbList === undefined ||
    iMapping === undefined ||
    nrpages === undefined
  )
    return undefined;
  try {
    const superblock = await kernel.memory.u64(sb);
    const head = superblock + BigInt(sInodes);
    let total = 0;
    let entry = await kernel.memory.u64(head);
    for (let i = 0; entry !== head; i++) {
      if (i >= maxBlockInodes || entry === 0n) {
        ctx.notes.push("blockdev_superblock's inode list does not end: BUFFERS not counted");
        return undefined;
      }
      const mapping = await kernel.memory.u64(entry - BigInt(iSbList) + BigInt(iMapping));
      if (mapping !== 0n) total += Number(await kernel.memory.u64(mapping + BigInt(nrpages)));
      entry = await kernel.memory.u64(entry);
    }
    return total;
  } catch (error) {
    ctx.notes.push(`block device inodes cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

async function hugetlb(ctx: Ctx): Promise<{ total: number; free: number } | undefined> {
  const { kernel } = ctx;
  const btf = await kernel.btf();
  const hstates = await symbol(ctx, "hstates");
  const maxAt = await symbol(ctx, "hugetlb_max_hstate");
  const size = btf.find("struct hstate")?.size;
  const nr = btf.offsetof("hstate", "nr_huge_pages");
  const free = btf.offsetof("hstate", "free_huge_pages");
  const order = btf.offsetof("hstate", "order");
  if (
    hstates === undefined ||
    maxAt === undefined ||
    size === undefined ||
    nr === undefined ||
    free === undefined ||
    order === undefined
  )
    return { total: 0, free: 0 };
  try {
    const count = Math.min(await kernel.memory.u32(maxAt), 8);
    let total = 0;
    let freePages = 0;
    for (let i = 0; i < count; i++) {
      const h = hstates + BigInt(i * size);
      const pages = 2 ** (await kernel.memory.u32(h + BigInt(order)));
      total += Number(await kernel.memory.u64(h + BigInt(nr))) * pages;
      freePages += Number(await kernel.memory.u64(h + BigInt(free))) * pages;
    }
    return { total, free: freePages };
  } catch (error) {
    ctx.notes.push(`hstates cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

/** `percpu_counter_sum()`: the shared count plus every CPU's unfolded delta */
async function percpuCounterSum(ctx: Ctx, name: string): Promise<number | undefined> {
  const { kernel } = ctx;
  const btf = await kernel.btf();
  const at = await symbol(ctx, name);
  const count = btf.offsetof("percpu_counter", "count");
  const counters = btf.offsetof("percpu_counter", "counters");
  if (at === undefined || count === undefined) return undefined;
  try {
    let sum = Number(await kernel.memory.s64(at + BigInt(count)));
    if (counters !== undefined) {
      const pointer = await kernel.memory.u64(at + BigInt(counters));
      const { offsets, possible } = await cpuTopology(kernel);
      for (const cpu of possible) {
        const offset = offsets[cpu];
        if (offset !== undefined)
          sum += await kernel.memory.s32(BigInt.asUintN(64, pointer + offset));
      }
    }
    return Math.max(sum, 0);
  } catch (error) {
    ctx.notes.push(`${name} cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

/** memmap scans above this many page frames (64 GiB of 4 KiB pages) are skipped as too slow */
const maxScannedPages = 16n << 20n;
const scanBatch = 512;

/**
 * crash's SHARED: the page frames up to `max_pfn` that are not PG_reserved and have a page
 * count above 1 (crash's dump_mem_map() tally, not the kernel's NR_SHMEM).
 */
async function sharedPages(ctx: Ctx): Promise<number | undefined> {
  const maxPfnAt = await symbol(ctx, "max_pfn");
  if (maxPfnAt === undefined) return undefined;
  const maxPfn = await ctx.kernel.memory.u64(maxPfnAt).catch(() => 0n);
  if (maxPfn === 0n) return undefined;
  if (maxPfn > maxScannedPages) {
    ctx.notes.push(
      `SHARED not counted: the memmap has ${maxPfn} page frames, more than the ${maxScannedPages} scanned`,
    );
    return undefined;
  }
  const mem = await readMemMap(ctx.kernel);
  const reserved = mem.layout.flags.reserved;
  let shared = 0;
  for (let pfn = 0n; pfn < maxPfn; pfn += BigInt(scanBatch)) {
    const count = Number(maxPfn - pfn < BigInt(scanBatch) ? maxPfn - pfn : BigInt(scanBatch));
    for (const page of await mem.readPageRange(pfn, count)) {
      if (reserved !== undefined && ((page.flags >> BigInt(reserved)) & 1n) === 1n) continue;
      if (page.refcount > 1) shared++;
    }
  }
  return shared;
}

/** Reads the memory summary. */
export async function readMemInfo(kernel: Kernel): Promise<MemInfo> {
  const ctx: Ctx = { kernel, notes: [] };
  const pageSize = kernel.view.vmcoreinfo.pageSize ?? 4096;
  // Linux kernel commit ca79b0c211af ("mm: convert totalram_pages and totalhigh_pages
  // variables to atomic") (in v5.0) renamed totalram_pages to _totalram_pages
  const totalRam =
    (await readLong(ctx, "_totalram_pages")) ?? (await readLong(ctx, "totalram_pages"));
  const free = await vmstat(ctx, "vm_zone_stat", "NR_FREE_PAGES");
  const buffers = await blockdevPages(ctx);
  const filePages = await anyStat(ctx, "NR_FILE_PAGES");
  // NR_SWAPCACHE became a node counter in v5.13; earlier kernels count swapper spaces
  const swapCache = (await anyStat(ctx, "NR_SWAPCACHE")) ?? 0;
  // slab counters are in pages in the arrays even where their names end in _B
  // (Linux kernel commit d42f3245c7e2 ("mm: memcg: convert vmstat slab counters to bytes") (in v5.9))
  const reclaimable = await anyStat(ctx, "NR_SLAB_RECLAIMABLE_B", "NR_SLAB_RECLAIMABLE");
  const unreclaimable = await anyStat(ctx, "NR_SLAB_UNRECLAIMABLE_B", "NR_SLAB_UNRECLAIMABLE");
  const huge = await hugetlb(ctx);
  const swapTotal = await readLong(ctx, "total_swap_pages");
  const swapFree = await readLong(ctx, "nr_swap_pages");
  const info: MemInfo = { pageSize, notes: ctx.notes };
  if (totalRam !== undefined) info.totalRam = totalRam;
  if (free !== undefined) info.free = free;
  const shared = await sharedPages(ctx);
  if (shared !== undefined) info.shared = shared;
  if (buffers !== undefined) info.buffers = buffers;
  if (filePages !== undefined) info.cached = Math.max(filePages - swapCache - (buffers ?? 0), 0);
  if (reclaimable !== undefined || unreclaimable !== undefined)
    info.slab = (reclaimable ?? 0) + (unreclaimable ?? 0);
  if (huge !== undefined) {
    info.hugeTotal = huge.total;
    info.hugeFree = huge.free;
  }
  if (swapTotal !== undefined) info.swapTotal = swapTotal;
  if (swapFree !== undefined) info.swapFree = swapFree;
  // vm_commit_limit(), mm/util.c
  const kbytes = await readLong(ctx, "sysctl_overcommit_kbytes");
  const ratioAt = await symbol(ctx, "sysctl_overcommit_ratio");
  const ratio =
    ratioAt === undefined ? undefined : await kernel.memory.s32(ratioAt).catch(() => undefined);
  if (totalRam !== undefined && (kbytes ?? 0) > 0)
    info.commitLimit = Math.floor((kbytes as number) / (pageSize / 1024)) + (swapTotal ?? 0);
  else if (totalRam !== undefined && ratio !== undefined)
    info.commitLimit =
      Math.floor(((totalRam - (huge?.total ?? 0)) * ratio) / 100) + (swapTotal ?? 0);
  const committed = await percpuCounterSum(ctx, "vm_committed_as");
  if (committed !== undefined) info.committed = committed;
  return info;
}
