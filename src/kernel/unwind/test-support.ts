/**
 * @module kernel/unwind/test-support
 * Test doubles for the unwinder's unit tests: sparse kernel memory that faults like a dump
 * with missing pages, and ORC tables laid out in it the way the kernel lays them out.
 */
import { encodeOrcEntry, ORC_ENTRY_SIZE, ORC_LAYOUTS } from "./orc-layouts.js";
import { OrcTables } from "./orc-tables.js";
import type { OrcEntry, OrcVersion, ReadMemory } from "./types.js";

const PAGE = 4096n;

export class FakeMemory {
  private readonly pages = new Map<bigint, Uint8Array>();
  reads = 0;

  readonly read: ReadMemory = async (address, length) => {
    this.reads++;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; ) {
      const at = BigInt.asUintN(64, address + BigInt(i));
      const page = this.pages.get(at / PAGE);
      if (page === undefined) throw new Error(`fault at ${at.toString(16)}`);
      const within = Number(at % PAGE);
      const take = Math.min(length - i, 4096 - within);
      out.set(page.subarray(within, within + take), i);
      i += take;
    }
    return out;
  };

  write(address: bigint, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      const at = address + BigInt(i);
      let page = this.pages.get(at / PAGE);
      if (page === undefined) {
        page = new Uint8Array(4096);
        this.pages.set(at / PAGE, page);
      }
      const within = Number(at % PAGE);
      const take = Math.min(bytes.length - i, 4096 - within);
      page.set(bytes.subarray(i, i + take), within);
      i += take;
    }
  }

  u64(address: bigint, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.write(address, b);
  }

  u32(address: bigint, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.write(address, b);
  }

  /** maps zeroed memory */
  map(address: bigint, length: number): void {
    this.write(address, new Uint8Array(length));
  }
}

/** entries by start ip, written as `.orc_unwind_ip` (self-relative s32) + `.orc_unwind` */
export function writeOrcTable(
  memory: FakeMemory,
  at: { ipTable: bigint; entryTable: bigint },
  rows: readonly { ip: bigint; entry: OrcEntry }[],
  version: OrcVersion,
): void {
  rows.forEach((row, i) => {
    const slot = at.ipTable + BigInt(i * 4);
    memory.u32(slot, Number(BigInt.asIntN(32, row.ip - slot)));
    memory.write(
      at.entryTable + BigInt(i * ORC_ENTRY_SIZE),
      encodeOrcEntry(row.entry, ORC_LAYOUTS[version]),
    );
  });
}

export const TEXT = 0xffffffff81000000n;
export const TEXT_END = 0xffffffff81100000n;
const IP_TABLE = 0xffffffff82000000n;
const ENTRY_TABLE = 0xffffffff82400000n;
const LOOKUP = 0xffffffff82800000n;

/** vmlinux tables with an orc_lookup block index, as `unwind_init()` leaves them */
export function fakeVmlinuxOrc(
  memory: FakeMemory,
  rows: readonly { ip: bigint; entry: OrcEntry }[],
  version: OrcVersion = 1,
  withLookup = true,
): OrcTables {
  writeOrcTable(memory, { ipTable: IP_TABLE, entryTable: ENTRY_TABLE }, rows, version);
  const blocks = Number((TEXT_END - TEXT) >> 8n) + 1;
  if (withLookup) {
    // orc_lookup[b] = index of the last entry starting at or before the block's first byte
    let index = 0;
    for (let b = 0; b < blocks; b++) {
      const blockStart = TEXT + (BigInt(b) << 8n);
      while (index + 1 < rows.length && (rows[index + 1]?.ip as bigint) <= blockStart) index++;
      memory.u32(LOOKUP + BigInt(b * 4), index);
    }
  }
  return OrcTables.fromParts({
    read: memory.read,
    version,
    ipTable: IP_TABLE,
    entryTable: ENTRY_TABLE,
    count: rows.length,
    textStart: TEXT,
    textEnd: TEXT_END,
    ...(withLookup ? { lookupTable: LOOKUP, lookupBlocks: blocks } : {}),
  });
}

/** a CALL entry: CFA = rsp + spOffset, rbp untouched */
export const call = (spOffset: number): OrcEntry => ({
  type: "call",
  spReg: "sp",
  spOffset,
  bpReg: "undefined",
  bpOffset: 0,
  signal: false,
});

export const regsAt = (spOffset: number, type: "regs" | "regs-partial" = "regs"): OrcEntry => ({
  type,
  spReg: "sp",
  spOffset,
  bpReg: "undefined",
  bpOffset: 0,
  signal: true,
});

export const endOfStack: OrcEntry = {
  type: "end-of-stack",
  spReg: "undefined",
  spOffset: 0,
  bpReg: "undefined",
  bpOffset: 0,
  signal: false,
};
