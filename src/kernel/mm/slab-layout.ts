/**
 * @module kernel/mm/slab-layout
 * Where SLUB keeps what: member offsets of `struct kmem_cache`, `struct kmem_cache_cpu`,
 * `struct kmem_cache_node` and the slab descriptor, all from the dump's BTF. Newest layout
 * first, older ones as fallbacks, each fork citing the kernel change.
 */
import { CrashlensError } from "../../errors.js";
import type { Btf } from "../btf/index.js";
import type { Kernel } from "../kernel.js";
import type { FreePointerEncoding } from "./freelist.js";

/** A bitfield inside a word: byte offset of the word, then bit position and width. */
export interface BitField {
  byte: number;
  shift: number;
  bits: number;
}

export interface SlabLayout {
  /** the slab descriptor: `struct slab` (v5.17+) or `struct page` */
  descriptor: "slab" | "page";
  slab: {
    cache: number;
    freelist: number;
    inuse: BitField;
    objects: BitField;
    frozen: BitField;
    /** list_head linking the slab on a node's partial (and, with SLUB_DEBUG, full) list */
    list: number;
    /** per-CPU partial chain: `next` pointer */
    next?: number;
  };
  cache: {
    /** absent with CONFIG_SLUB_TINY */
    cpuSlab?: number;
    size: number;
    objectSize: number;
    offset: number;
    name: number;
    list: number;
    oo: number;
    flags: number;
    /** present with CONFIG_SLAB_FREELIST_HARDENED */
    random?: number;
    redLeftPad?: number;
    node: number;
    /** MAX_NUMNODES: the node array's length */
    maxNodes: number;
  };
  /** kmem_cache_cpu; absent with CONFIG_SLUB_TINY */
  cpu?: { freelist: number; slab: number; partial?: number };
  node: {
    nrPartial: number;
    partial: number;
    /** CONFIG_SLUB_DEBUG only */
    nrSlabs?: number;
    totalObjects?: number;
    full?: number;
  };
  /** how free pointers are stored; "swab" may be revised to "xor" on first use */
  encoding: FreePointerEncoding;
}

function need(value: number | undefined, what: string): number {
  if (value === undefined)
    throw new CrashlensError(
      "not-found",
      `BTF has no ${what}: this kernel's slab allocator is not SLUB, or its layout is unknown`,
    );
  return value;
}

function bitField(btf: Btf, typeId: number, path: string): BitField | undefined {
  const member = btf.memberPath(typeId, path);
  if (member === undefined) return undefined;
  const bits = member.bitSize || (btf.sizeof(member.type) ?? 4) * 8;
  const byte = Math.floor(member.bitOffset / 32) * 4;
  return { byte, shift: member.bitOffset - byte * 8, bits };
}

/** Reads the SLUB layout from BTF, once per kernel. */
export function readSlabLayout(kernel: Kernel): Promise<SlabLayout> {
  return kernel.facet("mm.slab-layout", async () => parseSlabLayout(await kernel.btf()));
}

export function parseSlabLayout(btf: Btf): SlabLayout {
  // Linux kernel commit d122019bf061 ("mm: Split slab into its own type") (in v5.17) moved
  // the slab fields out of struct page into struct slab, which overlays the same memory
  const slabType = btf.find("struct slab");
  const hasSlab = slabType?.kind === "struct" && btf.offsetof("slab", "slab_cache") !== undefined;
  const descriptor = hasSlab ? "slab" : "page";
  const descriptorType = need(
    (hasSlab ? slabType : btf.find("struct page"))?.id,
    `struct ${descriptor}`,
  );
  const at = (path: string) => btf.offsetof(descriptor, path);
  const field = (path: string): BitField => {
    const found = bitField(btf, descriptorType, path);
    if (found === undefined) need(undefined, `${descriptor}.${path}`);
    return found as BitField;
  };
  const cacheType = btf.find("struct kmem_cache");
  // SLUB's kmem_cache has `oo` (order and objects per slab); SLAB's has `num` and `gfporder`
  if (cacheType === undefined || btf.offsetof("kmem_cache", "oo") === undefined)
    throw new CrashlensError(
      "unsupported",
      "struct kmem_cache has no oo: the kernel uses SLAB or SLOB, not SLUB; only SLUB is read",
    );
  const cacheAt = (path: string) => btf.offsetof("kmem_cache", path);
  const nodeMember = btf.memberPath(cacheType.id, "node");
  const nodeArray = nodeMember === undefined ? undefined : btf.resolve(nodeMember.type).array;
  const nodeAt = (path: string) => btf.offsetof("kmem_cache_node", path);
  const slab: SlabLayout["slab"] = {
    cache: need(at("slab_cache"), `${descriptor}.slab_cache`),
    freelist: need(at("freelist"), `${descriptor}.freelist`),
    inuse: field("inuse"),
    objects: field("objects"),
    frozen: field("frozen"),
    // struct page called it lru before v5.17 (and slab_list since v5.1)
    list: need(at("slab_list") ?? at("lru"), `${descriptor}.slab_list`),
  };
  const next = at("next");
  if (next !== undefined) slab.next = next;
  const cache: SlabLayout["cache"] = {
    size: need(cacheAt("size"), "kmem_cache.size"),
    objectSize: need(cacheAt("object_size"), "kmem_cache.object_size"),
    offset: need(cacheAt("offset"), "kmem_cache.offset"),
    name: need(cacheAt("name"), "kmem_cache.name"),
    list: need(cacheAt("list"), "kmem_cache.list"),
    oo: need(cacheAt("oo"), "kmem_cache.oo"),
    flags: need(cacheAt("flags"), "kmem_cache.flags"),
    node: need(nodeMember === undefined ? undefined : nodeMember.bitOffset / 8, "kmem_cache.node"),
    maxNodes: nodeArray?.nelems ?? 1,
  };
  // CONFIG_SLUB_TINY (Linux kernel commit e240e53ae0ab ("mm, slub: add CONFIG_SLUB_TINY")
  // (in v6.2)) has no per-CPU slabs: no cpu_slab, and every slab is on a node list
  const cpuSlab = cacheAt("cpu_slab");
  if (cpuSlab !== undefined) cache.cpuSlab = cpuSlab;
  const random = cacheAt("random");
  if (random !== undefined) cache.random = random;
  const redLeftPad = cacheAt("red_left_pad");
  if (redLeftPad !== undefined) cache.redLeftPad = redLeftPad;
  let cpu: SlabLayout["cpu"];
  if (cpuSlab !== undefined) {
    cpu = {
      freelist: need(btf.offsetof("kmem_cache_cpu", "freelist"), "kmem_cache_cpu.freelist"),
      // kmem_cache_cpu.page became .slab in v5.17 with struct slab
      slab: need(
        btf.offsetof("kmem_cache_cpu", "slab") ?? btf.offsetof("kmem_cache_cpu", "page"),
        "kmem_cache_cpu.slab",
      ),
    };
    const partial = btf.offsetof("kmem_cache_cpu", "partial");
    if (partial !== undefined) cpu.partial = partial;
  }
  const node: SlabLayout["node"] = {
    nrPartial: need(nodeAt("nr_partial"), "kmem_cache_node.nr_partial"),
    partial: need(nodeAt("partial"), "kmem_cache_node.partial"),
  };
  const nrSlabs = nodeAt("nr_slabs");
  const totalObjects = nodeAt("total_objects");
  const full = nodeAt("full");
  if (nrSlabs !== undefined) node.nrSlabs = nrSlabs;
  if (totalObjects !== undefined) node.totalObjects = totalObjects;
  if (full !== undefined) node.full = full;
  return {
    descriptor,
    slab,
    cache,
    ...(cpu === undefined ? {} : { cpu }),
    node,
    encoding: random === undefined ? "plain" : "swab",
  };
}

/** reads a bitfield out of bytes holding the word at `field.byte` */
export function readBits(view: DataView, field: BitField, base = 0): number {
  const word = view.getUint32(base + field.byte, true);
  return Number((BigInt(word) >> BigInt(field.shift)) & ((1n << BigInt(field.bits)) - 1n));
}
