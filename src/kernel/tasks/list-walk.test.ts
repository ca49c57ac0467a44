/**
 * The loop-safe list walk on a deliberately corrupted in-memory reader: a clean ring, a cycle,
 * a link into freed memory (prev does not point back), an unreadable page and NULL must each
 * give a partial list, a warning naming the bad link, and the entries recovered backwards.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashlensError } from "../../errors.js";
import { walkList } from "./list-walk.js";

const HEAD = 0x1000n;
/** node i lives at 0x2000 + i * 0x100 */
const node = (i: number) => 0x2000n + BigInt(i) * 0x100n;

/** A sparse memory of list_heads: address → [next, prev]; anything else faults. */
class FakeMemory {
  readonly links = new Map<bigint, [bigint, bigint]>();
  reads = 0;

  /** head ⇄ node(0) ⇄ … ⇄ node(n-1) ⇄ head */
  static ring(n: number): FakeMemory {
    const m = new FakeMemory();
    const all = [HEAD, ...Array.from({ length: n }, (_, i) => node(i))];
    all.forEach((at, i) => {
      m.links.set(at, [
        all[(i + 1) % all.length] as bigint,
        all[(i - 1 + all.length) % all.length] as bigint,
      ]);
    });
    return m;
  }

  read = async (address: bigint, length: number): Promise<Uint8Array> => {
    this.reads++;
    const links = this.links.get(address);
    if (links === undefined || length !== 16)
      throw new CrashlensError("fault", `page at 0x${address.toString(16)} is not in the dump`, {
        address,
      });
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, links[0], true);
    view.setBigUint64(8, links[1], true);
    return bytes;
  };

  setNext(at: bigint, next: bigint): void {
    const links = this.links.get(at) as [bigint, bigint];
    this.links.set(at, [next, links[1]]);
  }
}

describe("walkList", () => {
  it("walks a clean ring completely, without warnings", async () => {
    const memory = FakeMemory.ring(5);
    const walk = await walkList(memory.read, HEAD, { what: "test list" });
    assert.deepEqual(walk.nodes, [0, 1, 2, 3, 4].map(node));
    assert.equal(walk.complete, true);
    assert.deepEqual(walk.warnings, []);
  });

  it("stops at a cycle, names the link, and recovers the tail backwards", async () => {
    const memory = FakeMemory.ring(6);
    memory.setNext(node(3), node(1)); // 3 → 1: a loop that never reaches the head
    const walk = await walkList(memory.read, HEAD, { what: "test list" });
    assert.equal(walk.complete, false);
    // 0..3 forwards, then 5 and 4 from head->prev
    assert.deepEqual(walk.nodes, [0, 1, 2, 3, 4, 5].map(node));
    assert.match(
      walk.warnings[0] as string,
      /0x2300 links to 0x2100, which is already in the list \(a cycle\)/,
    );
    assert.match(
      walk.warnings[1] as string,
      /2 more entries recovered by walking the list backwards/,
    );
    assert.ok(memory.reads < 20, `${memory.reads} reads: the walk must not spin`);
  });

  it("stops at a link into freed memory whose prev does not point back", async () => {
    const memory = FakeMemory.ring(4);
    memory.links.set(0x9000n, [0x9100n, 0xdead000000000122n]); // a freed node, poisoned prev
    memory.setNext(node(1), 0x9000n);
    const walk = await walkList(memory.read, HEAD, { what: "test list" });
    assert.deepEqual(walk.nodes, [0, 1, 2, 3].map(node));
    assert.match(
      walk.warnings[0] as string,
      /0x2100 links to 0x9000, whose prev is 0xdead000000000122, not 0x2100/,
    );
    assert.equal(walk.complete, false);
  });

  it("stops at an unreadable page and at NULL", async () => {
    const memory = FakeMemory.ring(4);
    memory.setNext(node(0), 0x7777000n);
    const walk = await walkList(memory.read, HEAD, { what: "test list" });
    assert.match(
      walk.warnings[0] as string,
      /0x2000 links to 0x7777000, but it is unreadable \(page at 0x7777000 is not in the dump\)/,
    );
    assert.deepEqual(walk.nodes, [0, 1, 2, 3].map(node));

    const nulled = FakeMemory.ring(3);
    nulled.setNext(node(2), 0n);
    const cut = await walkList(nulled.read, HEAD, { what: "test list" });
    assert.match(cut.warnings[0] as string, /links to 0x0, but it is NULL/);
    assert.deepEqual(cut.nodes, [0, 1, 2].map(node));
  });

  it("stops when both directions are broken, keeping what it saw", async () => {
    const memory = FakeMemory.ring(4);
    memory.setNext(node(1), 0x7777000n);
    memory.links.set(HEAD, [node(0), 0x8888000n]); // head->prev unreadable too
    const walk = await walkList(memory.read, HEAD, { what: "test list" });
    assert.deepEqual(walk.nodes, [0, 1].map(node));
    assert.equal(walk.warnings.length, 1);
  });

  it("reports an unreadable head", async () => {
    const walk = await walkList(FakeMemory.ring(1).read, 0x5000n, { what: "modules" });
    assert.deepEqual(walk.nodes, []);
    assert.match(walk.warnings[0] as string, /modules: the list head at 0x5000 cannot be walked/);
  });

  it("is bounded by its limit", async () => {
    const walk = await walkList(FakeMemory.ring(50).read, HEAD, { what: "test list", limit: 10 });
    assert.ok(walk.nodes.length <= 10, `${walk.nodes.length} nodes`);
    assert.match(walk.warnings[0] as string, /more than 10 entries/);
  });

  it("names nodes with the caller's description", async () => {
    const memory = FakeMemory.ring(2);
    memory.setNext(node(1), node(0));
    const walk = await walkList(memory.read, HEAD, {
      what: "init_task.tasks",
      describe: (n) => `task 0x${(n - 0x10n).toString(16)}`,
    });
    assert.match(walk.warnings[0] as string, /^init_task.tasks: task 0x20f0 links to task 0x1ff0/);
  });
});
