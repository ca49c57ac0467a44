/**
 * @module kernel/mm/maple-tree
 * Reads a maple tree (lib/maple_tree.c, Linux kernel commit 54a611b60590 ("Maple Tree: add
 * new data structure") (in v6.1)): the VMA tree `mm_struct.mm_mt` since v6.1 and the IRQ
 * descriptor tree `sparse_irqs` since v6.5. Node layouts come from BTF (`struct
 * maple_range_64`, `struct maple_arange_64`); walks are depth- and count-bounded.
 */
import { CrashlensError } from "../../errors.js";
import type { Btf } from "../btf/index.js";
import type { Kernel } from "../kernel.js";

/** mte_to_node(): node pointers are 256-byte aligned, the low byte holds type and flags */
const MAPLE_NODE_MASK = 0xffn;
const MAPLE_NODE_TYPE_SHIFT = 3n;
const MAPLE_NODE_TYPE_MASK = 0xfn;
/** enum maple_type */
const maple = { dense: 0, leaf64: 1, range64: 2, arange64: 3 } as const;
/** a maple tree of height > 31 cannot exist (MAPLE_HEIGHT_MAX) */
const maxDepth = 31;

/** Node layouts: where pivots, slots and the metadata are in each node type. */
export interface MapleLayout {
  range64: {
    pivots: number;
    pivotCount: number;
    slots: number;
    slotCount: number;
    metaEnd: number;
  };
  arange64: {
    pivots: number;
    pivotCount: number;
    slots: number;
    slotCount: number;
    metaEnd: number;
  };
  /** maple_tree.ma_root */
  root: number;
}

export interface MapleEntry {
  /** the range [first, last] the entry covers */
  first: bigint;
  last: bigint;
  entry: bigint;
}

function arrayOf(
  btf: Btf,
  struct: string,
  member: string,
): { offset: number; count: number } | undefined {
  const type = btf.find(`struct ${struct}`);
  const location = type === undefined ? undefined : btf.memberPath(type.id, member);
  const array = location === undefined ? undefined : btf.resolve(location.type).array;
  if (location === undefined || array === undefined) return undefined;
  return { offset: location.bitOffset / 8, count: array.nelems };
}

/** Reads the node layouts from BTF; undefined when the kernel has no maple tree. */
export function parseMapleLayout(btf: Btf): MapleLayout | undefined {
  const root = btf.offsetof("maple_tree", "ma_root");
  const layouts: Partial<Record<"range64" | "arange64", MapleLayout["range64"]>> = {};
  for (const [key, struct] of [
    ["range64", "maple_range_64"],
    ["arange64", "maple_arange_64"],
  ] as const) {
    const pivots = arrayOf(btf, struct, "pivot");
    const slots = arrayOf(btf, struct, "slot");
    const meta = btf.offsetof(struct, "meta");
    const end = btf.offsetof("maple_metadata", "end") ?? 0;
    if (pivots === undefined || slots === undefined || meta === undefined) return undefined;
    layouts[key] = {
      pivots: pivots.offset,
      pivotCount: pivots.count,
      slots: slots.offset,
      slotCount: slots.count,
      metaEnd: meta + end,
    };
  }
  if (root === undefined || layouts.range64 === undefined || layouts.arange64 === undefined)
    return undefined;
  return { root, range64: layouts.range64, arange64: layouts.arange64 };
}

const isInternal = (entry: bigint) => (entry & 3n) === 2n;
/** xa_is_node(): an internal entry above 4096 is a node pointer */
const isNode = (entry: bigint) => isInternal(entry) && entry > 4096n;

/**
 * Every non-empty entry of the maple tree at `tree` (a `struct maple_tree` address), in index
 * order. `maxEntries` bounds the walk; `notes` receives what looked broken.
 */
export async function mapleEntries(
  kernel: Kernel,
  tree: bigint,
  layout: MapleLayout,
  options: { maxEntries?: number; notes?: string[] } = {},
): Promise<MapleEntry[]> {
  const maxEntries = options.maxEntries ?? 1_000_000;
  const notes = options.notes ?? [];
  const out: MapleEntry[] = [];
  const root = await kernel.memory.u64(tree + BigInt(layout.root));
  const hex = (n: bigint) => n.toString(16);
  // an encoded node (maple_enode): the node address, its type in bits 3-6 and flags below;
  // only ma_root marks it as a node (MAPLE_ROOT_NODE, bit 1): below, a slot of a non-leaf node
  // is always a node
  const visit = async (entry: bigint, min: bigint, max: bigint, depth: number): Promise<void> => {
    if (out.length >= maxEntries) return;
    if (depth > maxDepth) {
      notes.push(`maple tree deeper than ${maxDepth} at ${hex(entry)}`);
      return;
    }
    const node = entry & ~MAPLE_NODE_MASK;
    const type = Number((entry >> MAPLE_NODE_TYPE_SHIFT) & MAPLE_NODE_TYPE_MASK);
    if (type === maple.dense) {
      notes.push(`maple node ${hex(node)} is dense, which these trees never use`);
      return;
    }
    if (type !== maple.leaf64 && type !== maple.range64 && type !== maple.arange64) {
      notes.push(`maple node ${hex(entry)} has unknown type ${type}`);
      return;
    }
    const shape = type === maple.arange64 ? layout.arange64 : layout.range64;
    const pivots = await kernel.memory.words(node + BigInt(shape.pivots), shape.pivotCount);
    const slots = await kernel.memory.words(node + BigInt(shape.slots), shape.slotCount);
    // ma_data_end(): arange64 nodes and nodes whose last pivot is 0 keep the end in metadata
    let end: number;
    const lastPivot = pivots[shape.pivotCount - 1] as bigint;
    if (type === maple.arange64 || lastPivot === 0n)
      end = await kernel.memory.u8(node + BigInt(shape.metaEnd));
    else end = lastPivot === max ? shape.pivotCount - 1 : shape.pivotCount;
    if (end >= shape.slotCount) {
      notes.push(`maple node ${hex(node)} claims ${end + 1} slots of ${shape.slotCount}`);
      end = shape.slotCount - 1;
    }
    let first = min;
    for (let i = 0; i <= end; i++) {
      // mas_logical_pivot(): the last slot's pivot may be 0 (or absent): it runs to max
      const pivot = i < shape.pivotCount ? (pivots[i] as bigint) : max;
      const last = pivot === 0n && i > 0 ? max : pivot;
      const slot = slots[i] as bigint;
      if (type === maple.leaf64) {
        if (slot !== 0n && !isInternal(slot)) out.push({ first, last, entry: slot });
      } else if (slot !== 0n) await visit(slot, first, last, depth + 1);
      if (last >= max) break;
      first = last + 1n;
    }
  };
  if (root !== 0n) {
    if (isNode(root)) await visit(root, 0n, (1n << 64n) - 1n, 0);
    // a tree of one entry stores it in ma_root, for index 0
    else if (!isInternal(root)) out.push({ first: 0n, last: 0n, entry: root });
  }
  if (out.length >= maxEntries)
    notes.push(`maple tree has more than ${maxEntries} entries; the rest are not read`);
  return out;
}

/** The maple layout of a kernel, or a `not-found` error when it has none. */
export function readMapleLayout(kernel: Kernel): Promise<MapleLayout> {
  return kernel.facet("mm.maple-layout", async () => {
    const layout = parseMapleLayout(await kernel.btf());
    if (layout === undefined)
      throw new CrashlensError(
        "not-found",
        "BTF has no maple tree node types (a kernel before v6.1)",
      );
    return layout;
  });
}
