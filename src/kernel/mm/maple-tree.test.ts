/**
 * The maple tree reader on trees written here the way lib/maple_tree.c lays them out (node
 * layouts of the lab's Debian 6.1 BTF): a root that is a single entry, a root leaf, and a
 * two-level tree whose arange64 root holds encoded child nodes without the root's node bit,
 * as `sparse_irqs` (v6.5+) and big VMA trees are. Real root leaves are checked on the lab
 * dumps' VMA trees in lab.conformance.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Kernel } from "../kernel.js";
import { KernelMemory } from "../memory.js";
import { type MapleLayout, mapleEntries } from "./maple-tree.js";

const layout: MapleLayout = {
  root: 8,
  range64: { pivots: 8, pivotCount: 15, slots: 128, slotCount: 16, metaEnd: 248 },
  arange64: { pivots: 8, pivotCount: 9, slots: 80, slotCount: 10, metaEnd: 240 },
};
const MAX = (1n << 64n) - 1n;

/** a sparse memory of 64-bit words and bytes */
class FakeMemory {
  readonly bytes = new Map<bigint, number>();
  u64(address: bigint, value: bigint) {
    for (let i = 0n; i < 8n; i++) this.bytes.set(address + i, Number((value >> (8n * i)) & 0xffn));
  }
  u8(address: bigint, value: number) {
    this.bytes.set(address, value);
  }
  kernel(): Kernel {
    const memory = new KernelMemory(async (address, length) =>
      Uint8Array.from({ length }, (_, i) => this.bytes.get(address + BigInt(i)) ?? 0),
    );
    return { memory } as unknown as Kernel;
  }
  node(at: bigint, shape: MapleLayout["range64"], pivots: bigint[], slots: bigint[], end?: number) {
    for (const [i, p] of pivots.entries()) this.u64(at + BigInt(shape.pivots + i * 8), p);
    for (const [i, s] of slots.entries()) this.u64(at + BigInt(shape.slots + i * 8), s);
    if (end !== undefined) this.u8(at + BigInt(shape.metaEnd), end);
  }
}

const tree = 0xffffffff9a2d2000n;
const desc = (irq: number) => 0xffff8bec41150000n + BigInt(irq) * 0x200n;
/** mt_mk_node(): node | type << 3 (leaf64 = 1, arange64 = 3); ma_root adds MAPLE_ROOT_NODE (2) */
const enode = (node: bigint, type: number) => node | (BigInt(type) << 3n);

describe("maple tree walk", () => {
  it("a one-entry tree keeps the entry in ma_root, for index 0", async () => {
    const m = new FakeMemory();
    m.u64(tree + 8n, desc(0));
    assert.deepEqual(await mapleEntries(m.kernel(), tree, layout), [
      { first: 0n, last: 0n, entry: desc(0) },
    ]);
  });

  it("a root leaf: ranges from the pivots, empty slots skipped, end from the metadata", async () => {
    const m = new FakeMemory();
    const leaf = 0xffff8bec41a00000n;
    m.u64(tree + 8n, enode(leaf, 1) | 2n);
    // [0,0]=desc0 [1,1]=desc1 [2,3]=empty [4,4]=desc4 [5,MAX]=empty; pivot[14]==0 → meta end 4
    m.node(leaf, layout.range64, [0n, 1n, 3n, 4n], [desc(0), desc(1), 0n, desc(4), 0n], 4);
    // a stale slot past the end must not be read as an entry
    m.u64(leaf + BigInt(layout.range64.slots + 5 * 8), desc(99));
    assert.deepEqual(await mapleEntries(m.kernel(), tree, layout), [
      { first: 0n, last: 0n, entry: desc(0) },
      { first: 1n, last: 1n, entry: desc(1) },
      { first: 4n, last: 4n, entry: desc(4) },
    ]);
  });

  it("two levels: arange64 root, leaf children encoded without the node bit", async () => {
    const m = new FakeMemory();
    const root = 0xffff8bec41b00000n;
    const left = 0xffff8bec41b00100n;
    const right = 0xffff8bec41b00200n;
    m.u64(tree + 8n, enode(root, 3) | 2n);
    m.node(root, layout.arange64, [7n], [enode(left, 1) | 4n, enode(right, 1)], 1);
    m.node(left, layout.range64, [0n, 1n, 3n, 4n, 7n], [desc(0), desc(1), 0n, desc(4), 0n], 4);
    m.node(
      right,
      layout.range64,
      [8n, 9n, 11n, 12n, 23n, 24n],
      [0n, desc(9), 0n, desc(12), 0n, desc(24), 0n],
      6,
    );
    const notes: string[] = [];
    const entries = await mapleEntries(m.kernel(), tree, layout, { notes });
    assert.deepEqual(
      entries.map((e) => [Number(e.first), Number(e.last), e.entry]),
      [
        [0, 0, desc(0)],
        [1, 1, desc(1)],
        [4, 4, desc(4)],
        [9, 9, desc(9)],
        [12, 12, desc(12)],
        [24, 24, desc(24)],
      ],
    );
    assert.deepEqual(notes, []);
  });

  it("a full leaf whose last pivot is the node's max ends there, without metadata", async () => {
    const m = new FakeMemory();
    const leaf = 0xffff8bec41c00000n;
    m.u64(tree + 8n, enode(leaf, 1) | 2n);
    const pivots = Array.from({ length: 15 }, (_, i) => BigInt(i));
    pivots[14] = MAX;
    const slots = Array.from({ length: 16 }, (_, i) => desc(i));
    m.node(leaf, layout.range64, pivots, slots);
    const entries = await mapleEntries(m.kernel(), tree, layout);
    assert.equal(entries.length, 15);
    assert.equal(entries.at(-1)?.last, MAX);
  });

  it("a node that loops to itself is cut at the depth bound, with a note", async () => {
    const m = new FakeMemory();
    const node = 0xffff8bec41d00000n;
    m.u64(tree + 8n, enode(node, 3) | 2n);
    m.node(node, layout.arange64, [MAX], [enode(node, 3)], 0);
    const notes: string[] = [];
    assert.deepEqual(await mapleEntries(m.kernel(), tree, layout, { notes }), []);
    assert.match(notes[0] ?? "", /deeper than/);
  });
});
