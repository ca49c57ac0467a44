/**
 * The shell's symbol index: address lookups with kallsyms' sizes, name prefix ranges for
 * completion (fast on a kernel's 87k names), search, and next/previous.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ShellSymbol, SymbolIndex } from "./symbol-index.js";

const K = 0xffffffff81000000n;
const symbols: ShellSymbol[] = [
  { name: "fixed_percpu_data", type: "D", address: 0n },
  { name: "__per_cpu_end", type: "D", address: 0x30000n },
  { name: "_stext", type: "T", address: K },
  { name: "local_alias", type: "t", address: K + 0x100n },
  { name: "do_work", type: "T", address: K + 0x100n },
  { name: "do_work_more", type: "T", address: K + 0x180n },
  { name: "done", type: "D", address: K + 0x1000n },
  { name: "_end", type: "B", address: K + 0x2000n },
];
const index = new SymbolIndex(symbols);

describe("SymbolIndex", () => {
  it("finds the symbol holding an address, preferring the global name at one address", () => {
    assert.deepEqual(index.find(K + 0x104n), { symbol: symbols[4], offset: 4, size: 0x80 });
    assert.equal(index.find(K + 0x180n)?.symbol.name, "do_work_more");
    assert.equal(index.find(K + 0x2000n), undefined, "past the last symbol the size is unknown");
    assert.equal(index.find(K - 1n)?.symbol.name, "__per_cpu_end");
  });
  it("names only kernel-half values for values that may not be addresses", () => {
    assert.equal(index.findKernel(0x10n), undefined);
    assert.equal(
      index.findKernel(0xffff8b9d01b5a000n),
      undefined,
      "the direct map is not in a symbol",
    );
    assert.equal(index.findKernel(K + 0x104n)?.symbol.name, "do_work");
  });
  it("looks names up exactly and by prefix", () => {
    assert.equal(index.lookup("done")?.address, K + 0x1000n);
    assert.equal(index.lookup("nope"), undefined);
    assert.deepEqual(index.withPrefix("do"), {
      names: ["do_work", "do_work_more", "done"],
      total: 3,
    });
    assert.deepEqual(index.withPrefix("do", 1), { names: ["do_work"], total: 3 });
    assert.deepEqual(index.withPrefix("x"), { names: [], total: 0 });
    assert.equal(index.commonPrefix("do_"), "do_work");
    assert.equal(index.commonPrefix("do"), "do");
  });
  it("searches and steps in address order", () => {
    assert.deepEqual(
      index.containing("work").map((s) => s.name),
      ["do_work", "do_work_more"],
    );
    assert.equal(index.next(symbols[4] as ShellSymbol)?.name, "do_work_more");
    assert.equal(index.previous(symbols[5] as ShellSymbol)?.name, "do_work");
    assert.equal(index.previous(symbols[0] as ShellSymbol), undefined);
  });
  it("answers a prefix query on 100k names in well under a millisecond", () => {
    const many: ShellSymbol[] = Array.from({ length: 100_000 }, (_, i) => ({
      name: `sym_${(i * 7919) % 100_000}`,
      type: "T",
      address: K + BigInt(i * 16),
    }));
    const big = new SymbolIndex(many);
    const start = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) big.withPrefix(`sym_${i % 100}`, 200);
    const perQuery = Number(process.hrtime.bigint() - start) / 1000;
    assert.ok(perQuery < 1_000_000, `${perQuery} ns per prefix query`);
    assert.equal(big.withPrefix("sym_9999").total, 11);
  });
});
