import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OrcTables } from "./orc-tables.js";
import {
  call,
  endOfStack,
  FakeMemory,
  fakeVmlinuxOrc,
  regsAt,
  TEXT,
  writeOrcTable,
} from "./test-support.js";

const rows = [
  { ip: TEXT, entry: call(8) },
  { ip: TEXT + 0x10n, entry: call(16) },
  { ip: TEXT + 0x300n, entry: call(24) }, // in block 3
  { ip: TEXT + 0x1000n, entry: regsAt(0) },
  // a terminator and a real entry at the same ip: the later one wins (sorttable order)
  { ip: TEXT + 0x2000n, entry: { ...endOfStack, type: "undefined" as const } },
  { ip: TEXT + 0x2000n, entry: call(40) },
  { ip: TEXT + 0x3000n, entry: endOfStack },
];

describe("OrcTables.find", () => {
  for (const withLookup of [true, false])
    it(`finds the last entry at or below ip (${withLookup ? "orc_lookup blocks" : "whole-table search"})`, async () => {
      const memory = new FakeMemory();
      const orc = fakeVmlinuxOrc(memory, rows, 1, withLookup);
      const at = async (offset: bigint) => (await orc.find(TEXT + offset))?.entry;
      assert.equal((await at(0n))?.spOffset, 8);
      assert.equal((await at(0xfn))?.spOffset, 8);
      assert.equal((await at(0x10n))?.spOffset, 16);
      assert.equal((await at(0x2ffn))?.spOffset, 16); // block 2 reaches back to entry 1
      assert.equal((await at(0x300n))?.spOffset, 24);
      assert.equal((await at(0xfffn))?.spOffset, 24);
      assert.equal((await at(0x1000n))?.type, "regs");
      assert.equal((await at(0x2000n))?.spOffset, 40);
      assert.equal((await at(0x2fffn))?.spOffset, 40);
      assert.equal((await at(0x3000n))?.type, "end-of-stack");
      const match = await orc.find(TEXT + 0x350n);
      assert.equal(match?.start, TEXT + 0x300n);
      assert.equal(match?.table, "vmlinux");
      assert.equal(await orc.find(TEXT - 1n), undefined); // below _stext
      assert.equal(await orc.find(0xffffffffc0000000n), undefined); // no module there
    });

  it("reads a few 4 KiB chunks per lookup, not the whole table", async () => {
    const memory = new FakeMemory();
    const many = Array.from({ length: 20000 }, (_, i) => ({
      ip: TEXT + BigInt(i * 16),
      entry: call(8 + (i % 4) * 8),
    }));
    const orc = fakeVmlinuxOrc(memory, many);
    memory.reads = 0;
    const match = await orc.find(TEXT + BigInt(12345 * 16 + 3));
    assert.equal(match?.start, TEXT + BigInt(12345 * 16));
    assert.equal(match?.entry.spOffset, 8 + (12345 % 4) * 8);
    assert.ok(memory.reads <= 4, `${memory.reads} reads`);
  });

  it("modules: own sorted tables, looked up by text range, named in the match", async () => {
    const memory = new FakeMemory();
    const orc = fakeVmlinuxOrc(memory, rows);
    const text = 0xffffffffc0476000n;
    const at = { ipTable: 0xffffffffc0478000n, entryTable: 0xffffffffc0479000n };
    writeOrcTable(
      memory,
      at,
      [
        { ip: text, entry: call(8) },
        { ip: text + 0x40n, entry: call(72) },
        { ip: text + 0x100n, entry: endOfStack },
      ],
      1,
    );
    assert.equal(
      orc.addModule({ name: "buggy", textStart: text, textEnd: text + 0x1000n, ...at, count: 3 }),
      true,
    );
    assert.equal(orc.textOwner(text + 0x50n), "buggy");
    assert.equal(orc.textOwner(text + 0x1000n), undefined);
    const match = await orc.find(text + 0x50n);
    assert.equal(match?.table, "buggy");
    assert.equal(match?.entry.spOffset, 72);
    // impossible sizes are refused, not trusted
    assert.equal(
      orc.addModule({ name: "bad", textStart: 1n, textEnd: 0n, ...at, count: 3 }),
      false,
    );
    assert.equal(
      orc.addModule({ name: "bad", textStart: 0n, textEnd: 9n, ...at, count: -1 }),
      false,
    );
  });

  it("fromKernel: needs the table symbols, detects the layout, and rejects absurd sizes", async () => {
    const memory = new FakeMemory();
    const fp = 0xffffffff83000000n;
    memory.write(fp, Uint8Array.from([0x10, 0, 0xf0, 0xff, 0x14, 0x02]));
    const symbols: Record<string, bigint> = {
      __start_orc_unwind_ip: 0xffffffff82000000n,
      __stop_orc_unwind_ip: 0xffffffff82000000n + 4n * 7n,
      __start_orc_unwind: 0xffffffff82400000n,
      _stext: TEXT,
      _etext: TEXT + 0x100000n,
      orc_fp_entry: fp,
    };
    const orc = await OrcTables.fromKernel({ read: memory.read, symbol: (n) => symbols[n] });
    assert.equal(orc?.version, 3);
    assert.equal(orc?.count, 7);
    symbols.__stop_orc_unwind = 0xffffffff82400000n + 6n * 8n; // 8 entries for 7 ips
    assert.equal(
      await OrcTables.fromKernel({ read: memory.read, symbol: (n) => symbols[n] }),
      undefined,
    );
    symbols.__stop_orc_unwind = 0xffffffff82400000n + 6n * 7n;
    assert.equal(
      (await OrcTables.fromKernel({ read: memory.read, symbol: (n) => symbols[n] }))?.count,
      7,
    );
    symbols.__stop_orc_unwind_ip = 0xffffffff82000000n + 4n * 5_000_000n;
    assert.equal(
      await OrcTables.fromKernel({ read: memory.read, symbol: (n) => symbols[n] }),
      undefined,
    );
    assert.equal(
      await OrcTables.fromKernel({ read: memory.read, symbol: () => undefined }),
      undefined,
    );
  });
});
