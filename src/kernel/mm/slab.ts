/**
 * @module kernel/mm/slab
 * Which SLUB cache, slab and object an address belongs to, and whether that object is
 * allocated or free: the question `kmem ADDR` answers in crash. The slab is found from the
 * address's `struct page` (PG_slab on the compound head); free objects are those on the
 * slab's own free list plus, when the slab is some CPU's current slab, that CPU's lockless
 * `cpu_slab->freelist` (mm/slub.c). Every walk is bounded; a broken list is reported.
 */
import { CrashlensError, isCrashlensError } from "../../errors.js";
import type { Kernel } from "../kernel.js";
import { cpuTopology } from "../percpu.js";
import { type FreelistWalk, type SlabGeometry, walkFreelist } from "./freelist.js";
import { findKfenceObject } from "./kfence.js";
import { type MemMap, readMemMap } from "./pages.js";
import { readBits, readSlabLayout, type SlabLayout } from "./slab-layout.js";

/** OO_SHIFT in mm/slub.c: kmem_cache_order_objects packs order << 16 | objects */
const OO_SHIFT = 16;
const OO_MASK = (1 << OO_SHIFT) - 1;
/** kmem_cache names are short ("kmalloc-192", "TCPv6"); memcg copies append a path */
const MAX_NAME = 128;

/** One SLUB cache (`struct kmem_cache`). */
export interface SlabCache {
  address: bigint;
  name: string;
  /** kmem_cache.object_size: what the caller asked for */
  objectSize: number;
  /** kmem_cache.size: the stride, with metadata and alignment */
  size: number;
  /** kmem_cache.offset: the free pointer's place in a free object */
  offset: number;
  redLeftPad: number;
  flags: number;
  /** kmem_cache.random (CONFIG_SLAB_FREELIST_HARDENED), else 0 */
  random: bigint;
  /** the __percpu kmem_cache_cpu pointer (0 with CONFIG_SLUB_TINY) */
  cpuSlab: bigint;
  /** pages per slab = 1 << order */
  order: number;
  objectsPerSlab: number;
  /** kmem_cache_node pointers, one per node that has one */
  nodes: bigint[];
}

export type SlabState = "allocated" | "free" | "unknown";

export interface SlabObjectInfo {
  cache: SlabCache;
  slab: {
    /** the slab descriptor (the head `struct page` / `struct slab`) */
    page: bigint;
    /** address of the slab's memory (crash's MEMORY) */
    memory: bigint;
    /** address of the first object (memory + red_left_pad) */
    firstObject: bigint;
    node: number | undefined;
    objects: number;
    /** slab.inuse as stored (for a CPU's slab, objects handed to that CPU count as in use) */
    inuse: number;
    frozen: boolean;
    /** the CPU whose current slab this is */
    cpu?: number;
    /** free objects found on the lists (undefined when a list could not be read) */
    free?: number;
  };
  /** the object the address falls in; undefined in the slab's tail padding */
  object?: { start: bigint; offset: number; index: number };
  state: SlabState;
  /** where the free object was found: the slab's list or a CPU's lockless list */
  freeOn?: { list: "slab" } | { list: "cpu"; cpu: number };
  /** every free object seen, with the CPU whose list holds it */
  freeObjects: { address: bigint; cpu?: number }[];
  /** what the verdict rests on, one line each */
  evidence: string[];
  /** a free list is broken: itself a sign of a use-after-free or double free */
  corrupt?: string;
}

const hex = (n: bigint) => n.toString(16);

interface SlabContext {
  layout: SlabLayout;
  mem: MemMap;
  caches: Map<bigint, SlabCache>;
  /** slab descriptor → cache, for annotation */
  pageCache: Map<bigint, SlabCache | null>;
  cpuOffsets: readonly (bigint | undefined)[];
}

async function context(kernel: Kernel): Promise<SlabContext> {
  return kernel.facet("mm.slab", async () => {
    const [layout, mem] = await Promise.all([readSlabLayout(kernel), readMemMap(kernel)]);
    const { offsets: cpuOffsets } = await cpuTopology(kernel);
    return { layout, mem, caches: new Map(), pageCache: new Map(), cpuOffsets };
  });
}

/** Reads one `struct kmem_cache` (cached per kernel). */
export async function readSlabCache(kernel: Kernel, address: bigint): Promise<SlabCache> {
  const ctx = await context(kernel);
  return readCache(kernel, ctx, address);
}

async function readCache(kernel: Kernel, ctx: SlabContext, address: bigint): Promise<SlabCache> {
  const known = ctx.caches.get(address);
  if (known !== undefined) return known;
  const c = ctx.layout.cache;
  const bytes = await kernel.memory.read(address, c.node + 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const oo = view.getUint32(c.oo, true);
  const namePointer = view.getBigUint64(c.name, true);
  let name = `<kmem_cache ${hex(address)}>`;
  try {
    name = await kernel.memory.cString(namePointer, MAX_NAME);
  } catch {
    // the name page was filtered out: keep the placeholder
  }
  const nodes: bigint[] = [];
  const nrNodes = await nodeCount(kernel, c.maxNodes);
  const nodeWords = await kernel.memory.words(address + BigInt(c.node), nrNodes);
  for (const n of nodeWords) if (n !== 0n) nodes.push(n);
  const cache: SlabCache = {
    address,
    name,
    objectSize: view.getUint32(c.objectSize, true),
    size: view.getUint32(c.size, true),
    offset: view.getUint32(c.offset, true),
    redLeftPad: c.redLeftPad === undefined ? 0 : view.getUint32(c.redLeftPad, true),
    flags: view.getUint32(c.flags, true),
    random: c.random === undefined ? 0n : view.getBigUint64(c.random, true),
    cpuSlab: c.cpuSlab === undefined ? 0n : view.getBigUint64(c.cpuSlab, true),
    order: oo >>> OO_SHIFT,
    objectsPerSlab: oo & OO_MASK,
    nodes,
  };
  ctx.caches.set(address, cache);
  return cache;
}

async function nodeCount(kernel: Kernel, maxNodes: number): Promise<number> {
  return kernel.facet("mm.nr-node-ids", async () => {
    const at = (await kernel.symbols()).lookup("nr_node_ids")?.address;
    if (at === undefined) return 1;
    const n = await kernel.memory.u32(at);
    return n >= 1 && n <= maxNodes ? n : 1;
  });
}

/** The head page of the slab holding `address`, or undefined when it is not in a slab. */
async function slabPageOf(ctx: SlabContext, address: bigint): Promise<bigint | undefined> {
  const pa = ctx.mem.directToPhys(address);
  if (pa === undefined) return undefined;
  const page = await ctx.mem.pfnToPage(pa >> BigInt(ctx.mem.layout.pageShift));
  const head = await ctx.mem.compoundHead(page);
  const info = await ctx.mem.readPage(head);
  return ctx.mem.isSlab(info) ? head : undefined;
}

/**
 * The cache name for a value that points into a slab object ("kmalloc-192", "task_struct"),
 * or undefined: what crash's `bt -F` prints as `[address:name]`. Fast for many values: one
 * `struct page` read per page, one cache read per cache.
 */
export async function slabAnnotation(kernel: Kernel, value: bigint): Promise<string | undefined> {
  let ctx: SlabContext;
  try {
    ctx = await context(kernel);
  } catch {
    return undefined;
  }
  if (ctx.mem.directToPhys(value) === undefined) return undefined;
  try {
    const head = await slabPageOf(ctx, value);
    if (head === undefined) return undefined;
    let cache = ctx.pageCache.get(head);
    if (cache === undefined) {
      const pointer = await kernel.memory.u64(head + BigInt(ctx.layout.slab.cache));
      cache = pointer === 0n ? null : await readCache(kernel, ctx, pointer);
      if (ctx.pageCache.size > 65536) ctx.pageCache.clear();
      ctx.pageCache.set(head, cache);
    }
    return cache?.name;
  } catch (error) {
    if (isCrashlensError(error)) return undefined;
    throw error;
  }
}

/** the NUMA node of a page: the top NODES_SHIFT bits of page->flags (SPARSEMEM_VMEMMAP) */
function pageNode(flags: bigint, maxNodes: number, nrNodes: number): number | undefined {
  if (nrNodes <= 1) return 0;
  const shift = Math.log2(maxNodes);
  if (!Number.isInteger(shift) || shift === 0) return undefined;
  return Number(flags >> BigInt(64 - shift));
}

/** A slab descriptor (`struct slab`, or `struct page` before v5.17) as read. */
export interface SlabDescriptor {
  page: bigint;
  cache: SlabCache;
  geometry: SlabGeometry;
  /** slab->freelist: the head of the slab's own free list */
  freelist: bigint;
  inuse: number;
  frozen: boolean;
  node: number | undefined;
}

/** Reads the slab descriptor at `page` (a slab's head page). */
export async function readSlab(kernel: Kernel, page: bigint): Promise<SlabDescriptor> {
  const ctx = await context(kernel);
  const l = ctx.layout;
  const bytes = await kernel.memory.read(
    page,
    Math.max(l.slab.list, l.slab.freelist, l.slab.inuse.byte) + 16,
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cachePointer = view.getBigUint64(l.slab.cache, true);
  if (cachePointer === 0n)
    throw new CrashlensError("bad-data", `slab page ${hex(page)} has no slab_cache`);
  const cache = await readCache(kernel, ctx, cachePointer);
  const pfn = ctx.mem.pageToPfn(page);
  if (pfn === undefined)
    throw new CrashlensError(
      "unsupported",
      `slab page ${hex(page)}: its pfn is unknown (not a vmemmap page)`,
    );
  const flags = (await ctx.mem.readPage(page)).flags;
  return {
    page,
    cache,
    geometry: {
      base: ctx.mem.physToDirect(pfn << BigInt(ctx.mem.layout.pageShift)),
      size: cache.size,
      objects: readBits(view, l.slab.objects),
      redLeftPad: cache.redLeftPad,
      offset: cache.offset,
      encoding: l.encoding,
      random: cache.random,
    },
    freelist: view.getBigUint64(l.slab.freelist, true),
    inuse: readBits(view, l.slab.inuse),
    frozen: readBits(view, l.slab.frozen) === 1,
    node: pageNode(flags, l.cache.maxNodes, cache.nodes.length),
  };
}

/**
 * Walks a free list of a slab with the kernel's pointer encoding. A hardened list that breaks
 * at its first link may be the pre-v5.7 "xor" form: try that, and keep it when it walks.
 */
export async function walkSlabFreelist(
  kernel: Kernel,
  head: bigint,
  geometry: SlabGeometry,
): Promise<FreelistWalk> {
  const ctx = await context(kernel);
  const readU64 = (a: bigint) => kernel.memory.u64(a);
  const encoded = { ...geometry, encoding: ctx.layout.encoding };
  const walk = await walkFreelist(head, encoded, readU64);
  if (walk.corrupt === undefined || encoded.encoding !== "swab" || walk.objects.length !== 1)
    return walk;
  const older = await walkFreelist(head, { ...encoded, encoding: "xor" }, readU64);
  if (older.corrupt === undefined && older.objects.length > 1) {
    ctx.layout.encoding = "xor";
    return older;
  }
  return walk;
}

/** The slab facts for `address`, or undefined when it is not in a slab page. */
export async function slabInfo(
  kernel: Kernel,
  address: bigint,
): Promise<SlabObjectInfo | undefined> {
  const ctx = await context(kernel);
  const head = await slabPageOf(ctx, address);
  if (head === undefined) return undefined;
  const slab = await readSlab(kernel, head);
  const { cache, geometry } = slab;
  const memory = geometry.base;
  const objects = geometry.objects;
  const evidence: string[] = [
    `page ${hex(head)} is a slab page; its slab_cache ${hex(cache.address)} is "${cache.name}" (object size ${cache.objectSize}, stride ${cache.size})`,
  ];
  const first = memory + BigInt(cache.redLeftPad);
  const info: SlabObjectInfo = {
    cache,
    slab: {
      page: head,
      memory,
      firstObject: first,
      node: slab.node,
      objects,
      inuse: slab.inuse,
      frozen: slab.frozen,
    },
    state: "unknown",
    freeObjects: [],
    evidence,
  };
  const kfence = await findKfenceObject(kernel, address).catch(() => undefined);
  if (kfence !== undefined) {
    // KFENCE places its one object anywhere in the page and keeps its state in metadata
    info.slab.free = kfence.state === "allocated" ? 0 : 1;
    if (address >= kfence.start && address < kfence.start + BigInt(Math.max(kfence.size, 1)))
      info.object = { start: kfence.start, offset: Number(address - kfence.start), index: 0 };
    info.state =
      kfence.state === "allocated"
        ? "allocated"
        : kfence.state === "unused" || kfence.state.includes("free")
          ? "free"
          : "unknown";
    if (info.state === "free") info.freeObjects.push({ address: kfence.start });
    evidence.push(
      `${hex(address)} is in the KFENCE pool: object ${hex(kfence.start)} (${kfence.size} bytes), kfence_metadata ${hex(kfence.metadata)} says ${kfence.state}`,
    );
    return info;
  }
  const stride = BigInt(cache.size);
  if (address >= memory && address < first + stride * BigInt(objects)) {
    const index = address < first ? 0 : Number((address - first) / stride);
    const start = first + BigInt(index) * stride;
    info.object = { start, offset: Number(address - start), index };
  } else {
    evidence.push(
      `${hex(address)} is past the slab's ${objects} objects of ${cache.size} bytes: slab padding, no object`,
    );
  }
  // the slab's own list, then the lockless per-CPU list when this is a CPU's current slab
  const walks: { walk: FreelistWalk; cpu?: number }[] = [
    { walk: await walkSlabFreelist(kernel, slab.freelist, geometry) },
  ];
  const cpuLayout = ctx.layout.cpu;
  for (let cpu = 0; cpu < ctx.cpuOffsets.length && cpuLayout !== undefined; cpu++) {
    const offset = ctx.cpuOffsets[cpu];
    if (offset === undefined || cache.cpuSlab === 0n) continue;
    const c = BigInt.asUintN(64, cache.cpuSlab + offset);
    let words: bigint[];
    try {
      words = await kernel.memory.words(c, Math.max(cpuLayout.freelist, cpuLayout.slab) / 8 + 1);
    } catch {
      evidence.push(`cpu ${cpu}'s kmem_cache_cpu at ${hex(c)} cannot be read`);
      continue;
    }
    if (words[cpuLayout.slab / 8] !== head) continue;
    info.slab.cpu = cpu;
    walks.push({
      walk: await walkSlabFreelist(kernel, words[cpuLayout.freelist / 8] as bigint, geometry),
      cpu,
    });
    evidence.push(`the slab is cpu ${cpu}'s current slab (kmem_cache_cpu ${hex(c)})`);
  }
  judge(info, walks);
  return info;
}

/** Folds the walks into the free objects, the corruption found and the object's state. */
function judge(info: SlabObjectInfo, walks: readonly { walk: FreelistWalk; cpu?: number }[]): void {
  const evidence = info.evidence;
  let complete = true;
  for (const { walk, cpu } of walks) {
    const list = cpu === undefined ? "the slab's freelist" : `cpu ${cpu}'s lockless freelist`;
    for (const object of walk.objects)
      info.freeObjects.push(cpu === undefined ? { address: object } : { address: object, cpu });
    if (walk.corrupt !== undefined) {
      complete = false;
      info.corrupt = `${list}: ${walk.corrupt}`;
      evidence.push(
        `${list} is corrupt after ${walk.objects.length} objects (${walk.corrupt}); a broken free list is itself a sign of a use-after-free or double free`,
      );
    }
    if (walk.unreadable !== undefined) {
      complete = false;
      evidence.push(`${list} could not be walked: ${walk.unreadable}`);
    }
  }
  if (complete) info.slab.free = info.freeObjects.length;
  const object = info.object;
  if (object === undefined) return;
  const found = info.freeObjects.find((f) => f.address === object.start);
  if (found !== undefined) {
    info.state = "free";
    info.freeOn = found.cpu === undefined ? { list: "slab" } : { list: "cpu", cpu: found.cpu };
    evidence.push(
      `object ${hex(object.start)} is on ${found.cpu === undefined ? "the slab's freelist" : `cpu ${found.cpu}'s lockless freelist`}: free`,
    );
  } else if (complete) {
    info.state = "allocated";
    evidence.push(
      `object ${hex(object.start)} is on none of the slab's free lists (${info.freeObjects.length} free of ${info.slab.objects}): allocated`,
    );
  } else {
    evidence.push(
      `object ${hex(object.start)}: state unknown, a free list could not be walked to its end`,
    );
  }
}
