/**
 * @module kernel/mm/zones
 * Memory zones and the buddy allocator's free blocks: each node's `struct zone`s (from
 * `node_data[]`, VMCOREINFO `SYMBOL(node_data)`; `contig_page_data` without NUMA), their free
 * areas, and which free block a page frame is in — a free block's first page has the buddy
 * page type and its order in `page->private` (mm/page_alloc.c `set_buddy_order()`); the pages
 * after it carry nothing. This is what `kmem ADDR` prints for memory the kernel had freed.
 */
import type { Kernel } from "../kernel.js";
import { readMemMap } from "./pages.js";

/** MAX_NUMNODES is 1024 in distribution configs */
const maxNodes = 1024;
/** MAX_NR_ZONES is at most 6 (DMA, DMA32, Normal, HighMem, Movable, Device) */
const maxZones = 8;

export interface Zone {
  node: number;
  /** index in the node's node_zones[] (crash's ZONE column) */
  index: number;
  address: bigint;
  name: string;
  startPfn: bigint;
  spannedPages: bigint;
  /** zone->vm_stat[NR_FREE_PAGES] */
  freePages: bigint;
  /** &zone->free_area[0]; entries are `freeAreaSize` bytes apart */
  freeArea: bigint;
}

export interface Zones {
  zones: Zone[];
  /** MAX_ORDER: the free_area[] length (LENGTH(zone.free_area)) */
  orders: number;
  freeAreaSize: number;
  /** free_area.nr_free */
  nrFreeOffset: number;
  notes: string[];
}

/** A free buddy block holding a page frame. */
export interface FreeBlock {
  zone: Zone;
  order: number;
  /** the block's first page frame and its struct page */
  headPfn: bigint;
  headPage: bigint;
  /** &zone->free_area[order] */
  freeArea: bigint;
}

/** Reads every populated zone of every node, once per kernel. */
export function readZones(kernel: Kernel): Promise<Zones> {
  return kernel.facet("mm.zones", async () => {
    const info = kernel.view.vmcoreinfo;
    const btf = await kernel.btf();
    const symbols = await kernel.symbols();
    const notes: string[] = [];
    const zoneSize = info.sizes.get("zone") ?? btf.find("struct zone")?.size ?? 0;
    const at = (struct: string, field: string) =>
      info.offsets.get(`${struct}.${field}`) ?? btf.offsetof(struct, field);
    const nodeZones = at("pglist_data", "node_zones") ?? 0;
    const nrZonesOffset = at("pglist_data", "nr_zones");
    const startPfn = at("zone", "zone_start_pfn");
    const spanned = at("zone", "spanned_pages");
    const nameOffset = at("zone", "name");
    const freeArea = at("zone", "free_area");
    const vmStat = at("zone", "vm_stat");
    const freeAreaSize = info.sizes.get("free_area") ?? btf.find("struct free_area")?.size ?? 0;
    const nrFreeOffset = at("free_area", "nr_free") ?? 0;
    const orders = info.lengths.get("zone.free_area") ?? 11;
    const nrFreePages = Number(info.numbers.get("NR_FREE_PAGES") ?? 0n);
    const zones: Zone[] = [];
    if (
      zoneSize === 0 ||
      startPfn === undefined ||
      spanned === undefined ||
      freeArea === undefined
    ) {
      notes.push("struct zone's layout is unknown (no BTF or VMCOREINFO for it)");
      return { zones, orders, freeAreaSize, nrFreeOffset, notes };
    }
    // NUMA kernels list nodes in node_data[]; others have the one contig_page_data
    const nodes: bigint[] = [];
    const nodeData = info.symbols.get("node_data") ?? symbols.lookup("node_data")?.address;
    const contig = symbols.lookup("contig_page_data")?.address;
    if (nodeData !== undefined) {
      const nrAt = symbols.lookup("nr_node_ids")?.address;
      const count = nrAt === undefined ? 1 : Math.min(await kernel.memory.u32(nrAt), maxNodes);
      for (const pointer of await kernel.memory.words(nodeData, Math.max(count, 1)))
        if (pointer !== 0n) nodes.push(pointer);
    } else if (contig !== undefined) nodes.push(contig);
    for (const [node, pgdat] of nodes.entries()) {
      const nrZones =
        nrZonesOffset === undefined
          ? maxZones
          : Math.min(await kernel.memory.s32(pgdat + BigInt(nrZonesOffset)), maxZones);
      for (let index = 0; index < nrZones; index++) {
        const zone = pgdat + BigInt(nodeZones + index * zoneSize);
        const span = await kernel.memory.u64(zone + BigInt(spanned));
        let name = `zone ${index}`;
        if (nameOffset !== undefined)
          name = await kernel.memory
            .u64(zone + BigInt(nameOffset))
            .then((p) => kernel.memory.cString(p, 32))
            .catch(() => name);
        zones.push({
          node,
          index,
          address: zone,
          name,
          startPfn: await kernel.memory.u64(zone + BigInt(startPfn)),
          spannedPages: span,
          freePages:
            vmStat === undefined
              ? 0n
              : await kernel.memory.u64(zone + BigInt(vmStat + nrFreePages * 8)),
          freeArea: zone + BigInt(freeArea),
        });
      }
    }
    return { zones, orders, freeAreaSize, nrFreeOffset, notes };
  });
}

/** The zone a page frame belongs to. */
export async function findZone(kernel: Kernel, pfn: bigint): Promise<Zone | undefined> {
  const { zones } = await readZones(kernel);
  return zones.find(
    (z) => z.spannedPages > 0n && pfn >= z.startPfn && pfn < z.startPfn + z.spannedPages,
  );
}

/** The free buddy block holding `pfn`, or undefined when the page is not free in the buddy allocator. */
export async function findFreeBlock(kernel: Kernel, pfn: bigint): Promise<FreeBlock | undefined> {
  const mem = await readMemMap(kernel);
  const { orders, freeAreaSize } = await readZones(kernel);
  const privateOffset = (await kernel.btf()).offsetof("page", "private") ?? 40;
  for (let order = 0; order < orders; order++) {
    const headPfn = pfn & ~((1n << BigInt(order)) - 1n);
    const headPage = await mem.pfnToPage(headPfn);
    const head = await mem.readPage(headPage);
    if (!mem.isBuddy(head)) continue;
    const headOrder = Number(await kernel.memory.u64(headPage + BigInt(privateOffset)));
    // a buddy head of a smaller order ends before pfn: keep looking at larger blocks
    if (headOrder < order || headOrder >= orders) continue;
    if (pfn >= headPfn + (1n << BigInt(headOrder))) continue;
    const zone = await findZone(kernel, headPfn);
    if (zone === undefined) return undefined;
    return {
      zone,
      order: headOrder,
      headPfn,
      headPage,
      freeArea: zone.freeArea + BigInt(headOrder * freeAreaSize),
    };
  }
  return undefined;
}
