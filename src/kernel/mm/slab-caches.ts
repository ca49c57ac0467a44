/**
 * @module kernel/mm/slab-caches
 * Every SLUB cache (the `slab_caches` list) with its usage, as `kmem -s` prints it: objects
 * allocated and in total, slabs, slab size. SLUB counts slabs and objects per node only with
 * CONFIG_SLUB_DEBUG (`kmem_cache_node.nr_slabs`/`total_objects`, on in every distribution
 * kernel); free objects are those on the partial slabs, the per-CPU partial slabs and the CPU
 * slabs (their slab and lockless free lists). Full slabs have none. mm/slub.c.
 */
import type { Kernel } from "../kernel.js";
import { cpuTopology } from "../percpu.js";
import { readSlab, readSlabCache, type SlabCache, walkSlabFreelist } from "./slab.js";
import { readBits, readSlabLayout, type SlabLayout } from "./slab-layout.js";

/** a kernel has a few hundred caches; memcg-heavy ones a few thousand */
const maxCaches = 20_000;
/** partial slabs per node are bounded by the kernel's own limits far below this */
const maxListEntries = 1_000_000;

export interface SlabCacheUsage {
  cache: SlabCache;
  /** objects in use; undefined when not countable */
  allocated?: number;
  /** objects in all slabs; undefined without CONFIG_SLUB_DEBUG's counters */
  total?: number;
  slabs?: number;
  /** free objects on the nodes' partial lists alone: what /proc/slabinfo subtracts
   * (`count_partial()`), where objects on CPU slabs count as active */
  nodePartialFree?: number;
  /** bytes per slab: PAGE_SIZE << order */
  slabSize: number;
  /** what could not be counted, and why */
  notes: string[];
}

const hex = (n: bigint) => n.toString(16);

/** The caches on `slab_caches`, in list order (newest first, as crash prints them). */
export async function slabCacheAddresses(
  kernel: Kernel,
): Promise<{ addresses: bigint[]; notes: string[] }> {
  const layout = await readSlabLayout(kernel);
  const head = (await kernel.symbols()).lookup("slab_caches")?.address;
  const notes: string[] = [];
  if (head === undefined) return { addresses: [], notes: ["slab_caches is not in kallsyms"] };
  const addresses: bigint[] = [];
  const seen = new Set<bigint>();
  let next = await kernel.memory.u64(head);
  while (next !== head) {
    if (seen.has(next)) {
      notes.push(`slab_caches loops back to ${hex(next)}`);
      break;
    }
    if (addresses.length >= maxCaches) {
      notes.push(`slab_caches has more than ${maxCaches} caches; the rest are not listed`);
      break;
    }
    seen.add(next);
    addresses.push(next - BigInt(layout.cache.list));
    try {
      next = await kernel.memory.u64(next);
    } catch (error) {
      notes.push(`slab_caches breaks at ${hex(next)}: ${(error as Error).message}`);
      break;
    }
  }
  return { addresses, notes };
}

/** Every cache with its usage (for `kmem -s`); `filter` keeps caches by name. */
export async function slabCaches(
  kernel: Kernel,
  filter?: (name: string) => boolean,
): Promise<{ caches: SlabCacheUsage[]; notes: string[] }> {
  const { addresses, notes } = await slabCacheAddresses(kernel);
  const caches: SlabCacheUsage[] = [];
  for (const address of addresses) {
    const cache = await readSlabCache(kernel, address);
    if (filter !== undefined && !filter(cache.name)) continue;
    caches.push(await slabCacheUsage(kernel, cache));
  }
  return { caches, notes };
}

async function counters(
  kernel: Kernel,
  layout: SlabLayout,
  slab: bigint,
): Promise<{ objects: number; inuse: number }> {
  const bytes = await kernel.memory.read(slab + BigInt(layout.slab.inuse.byte), 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const at = (f: SlabLayout["slab"]["inuse"]) =>
    readBits(view, { ...f, byte: f.byte - layout.slab.inuse.byte });
  return { objects: at(layout.slab.objects), inuse: at(layout.slab.inuse) };
}

/** Counts one cache's slabs and objects. */
export async function slabCacheUsage(kernel: Kernel, cache: SlabCache): Promise<SlabCacheUsage> {
  const layout = await readSlabLayout(kernel);
  const pageSize = kernel.view.vmcoreinfo.pageSize ?? 4096;
  const usage: SlabCacheUsage = { cache, slabSize: pageSize << cache.order, notes: [] };
  const n = layout.node;
  let total = 0;
  let slabs = 0;
  let free = 0;
  let countable = n.totalObjects !== undefined && n.nrSlabs !== undefined;
  if (!countable)
    usage.notes.push(
      "kmem_cache_node has no nr_slabs/total_objects (CONFIG_SLUB_DEBUG is off): full slabs are not tracked, so totals cannot be counted",
    );
  for (const node of cache.nodes) {
    try {
      if (n.nrSlabs !== undefined && n.totalObjects !== undefined) {
        slabs += Number(await kernel.memory.u64(node + BigInt(n.nrSlabs)));
        total += Number(await kernel.memory.u64(node + BigInt(n.totalObjects)));
      }
      // partial slabs: objects - inuse free on each
      const head = node + BigInt(n.partial);
      let entry = await kernel.memory.u64(head);
      for (let i = 0; entry !== head; i++) {
        if (i >= maxListEntries || entry === 0n) {
          usage.notes.push(`node ${hex(node)}: the partial list is broken at ${hex(entry)}`);
          countable = false;
          break;
        }
        const slab = entry - BigInt(layout.slab.list);
        const c = await counters(kernel, layout, slab);
        free += c.objects - c.inuse;
        entry = await kernel.memory.u64(entry);
      }
    } catch (error) {
      usage.notes.push(`node ${hex(node)} cannot be read: ${(error as Error).message}`);
      countable = false;
    }
  }
  const nodePartialFree = free;
  // per-CPU: the current slab (inuse counts what the CPU took; its lockless list holds the
  // CPU's free objects) and the per-CPU partial slabs
  const { offsets } = await cpuTopology(kernel);
  const cpuLayout = layout.cpu;
  for (let cpu = 0; cpu < offsets.length && cpuLayout !== undefined; cpu++) {
    const offset = offsets[cpu];
    if (offset === undefined || cache.cpuSlab === 0n) continue;
    const c = BigInt.asUintN(64, cache.cpuSlab + offset);
    try {
      const freelist = await kernel.memory.u64(c + BigInt(cpuLayout.freelist));
      const slab = await kernel.memory.u64(c + BigInt(cpuLayout.slab));
      if (slab !== 0n) {
        const shape = await readSlab(kernel, slab);
        free += shape.geometry.objects - shape.inuse;
        const walk = await walkSlabFreelist(kernel, freelist, shape.geometry);
        free += walk.objects.length;
        if (walk.corrupt !== undefined || walk.unreadable !== undefined) {
          countable = false;
          usage.notes.push(`cpu ${cpu}'s freelist: ${walk.corrupt ?? walk.unreadable}`);
        }
      }
      if (cpuLayout.partial !== undefined && layout.slab.next !== undefined) {
        let partial = await kernel.memory.u64(c + BigInt(cpuLayout.partial));
        for (let i = 0; partial !== 0n; i++) {
          if (i >= maxListEntries) {
            usage.notes.push(`cpu ${cpu}'s partial list does not end`);
            countable = false;
            break;
          }
          const counts = await counters(kernel, layout, partial);
          free += counts.objects - counts.inuse;
          partial = await kernel.memory.u64(partial + BigInt(layout.slab.next));
        }
      }
    } catch (error) {
      usage.notes.push(
        `cpu ${cpu}'s kmem_cache_cpu ${hex(c)} cannot be read: ${(error as Error).message}`,
      );
      countable = false;
    }
  }
  if (n.nrSlabs !== undefined && n.totalObjects !== undefined) {
    usage.total = total;
    usage.slabs = slabs;
    usage.nodePartialFree = nodePartialFree;
    if (countable) usage.allocated = total - free;
  }
  return usage;
}

/** Where a slab was found. */
export type SlabPlace = "partial" | "full" | { cpu: number; partial: boolean };

/**
 * Every slab of a cache that SLUB keeps track of: the nodes' partial and (CONFIG_SLUB_DEBUG)
 * full lists, each CPU's slab and per-CPU partial slabs. Without the full lists, full slabs
 * cannot be found (`notes` says so).
 */
export async function cacheSlabs(
  kernel: Kernel,
  cache: SlabCache,
): Promise<{ slabs: { page: bigint; place: SlabPlace }[]; notes: string[] }> {
  const layout = await readSlabLayout(kernel);
  const slabs: { page: bigint; place: SlabPlace }[] = [];
  const notes: string[] = [];
  const seen = new Set<bigint>();
  const add = (page: bigint, place: SlabPlace) => {
    if (seen.has(page)) return false;
    seen.add(page);
    slabs.push({ page, place });
    return true;
  };
  const lists: ["partial" | "full", number | undefined][] = [
    ["partial", layout.node.partial],
    ["full", layout.node.full],
  ];
  for (const node of cache.nodes) {
    for (const [place, offset] of lists) {
      if (offset === undefined) continue;
      const head = node + BigInt(offset);
      try {
        let entry = await kernel.memory.u64(head);
        for (let i = 0; entry !== head; i++) {
          if (
            i >= maxListEntries ||
            entry === 0n ||
            !add(entry - BigInt(layout.slab.list), place)
          ) {
            notes.push(`node ${hex(node)}: the ${place} list is broken at ${hex(entry)}`);
            break;
          }
          entry = await kernel.memory.u64(entry);
        }
      } catch (error) {
        notes.push(
          `node ${hex(node)}: the ${place} list cannot be read: ${(error as Error).message}`,
        );
      }
    }
  }
  const { offsets } = await cpuTopology(kernel);
  const cpuLayout = layout.cpu;
  for (let cpu = 0; cpu < offsets.length && cpuLayout !== undefined; cpu++) {
    const offset = offsets[cpu];
    if (offset === undefined || cache.cpuSlab === 0n) continue;
    const c = BigInt.asUintN(64, cache.cpuSlab + offset);
    try {
      const slab = await kernel.memory.u64(c + BigInt(cpuLayout.slab));
      if (slab !== 0n) add(slab, { cpu, partial: false });
      if (cpuLayout.partial !== undefined && layout.slab.next !== undefined) {
        let partial = await kernel.memory.u64(c + BigInt(cpuLayout.partial));
        for (let i = 0; partial !== 0n && i < maxListEntries; i++) {
          if (!add(partial, { cpu, partial: true })) break;
          partial = await kernel.memory.u64(partial + BigInt(layout.slab.next));
        }
      }
    } catch (error) {
      notes.push(`cpu ${cpu}'s kmem_cache_cpu cannot be read: ${(error as Error).message}`);
    }
  }
  // SLUB puts full slabs on a list only for caches with SLAB_STORE_USER (slub_debug=U) and
  // CONFIG_SLUB_DEBUG (add_full() in mm/slub.c); the rest are on no list at all
  let counted: number | undefined;
  if (layout.node.nrSlabs !== undefined) {
    counted = 0;
    for (const node of cache.nodes)
      counted += Number(
        await kernel.memory.u64(node + BigInt(layout.node.nrSlabs)).catch(() => 0n),
      );
  }
  if (counted !== undefined && counted > slabs.length)
    notes.push(
      `${counted - slabs.length} of the cache's ${counted} slabs are full and on no list (SLUB lists full slabs only for caches with SLAB_STORE_USER, slub_debug=U): their objects are all allocated but cannot be listed`,
    );
  else if (counted === undefined)
    notes.push(
      "full slabs cannot be listed or counted: kmem_cache_node has no nr_slabs (CONFIG_SLUB_DEBUG off)",
    );
  return { slabs, notes };
}
