import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeOrcEntry, encodeOrcEntry, ORC_LAYOUTS } from "./orc-layouts.js";
import type { OrcEntry, OrcRegister, OrcType, OrcVersion } from "./types.js";

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));

describe("ORC entry layouts", () => {
  it("v1: the lab kernel's own orc_fp_entry (6.1) decodes as CALL, CFA = rbp + 16, rbp at CFA − 16", () => {
    // read from hung.kdump-zlib at orc_fp_entry: sp_offset 16, bp_offset -16, flags 0x0014
    const entry = decodeOrcEntry(bytes("1000f0ff1400"), 0, ORC_LAYOUTS[1]);
    assert.deepEqual(entry, {
      spOffset: 16,
      bpOffset: -16,
      spReg: "bp",
      bpReg: "prev-sp",
      type: "call",
      signal: false,
    });
  });

  it("v1: sp_reg UNDEFINED means end of stack with the end bit (10), no info without it", () => {
    assert.equal(decodeOrcEntry(bytes("000000000004"), 0, ORC_LAYOUTS[1]).type, "end-of-stack");
    assert.equal(decodeOrcEntry(bytes("000000000000"), 0, ORC_LAYOUTS[1]).type, "undefined");
    // type REGS (1) at bits 8-9, sp_reg SP (5): signal is implied
    const regs = decodeOrcEntry(bytes("a00000000501"), 0, ORC_LAYOUTS[1]);
    assert.equal(regs.type, "regs");
    assert.equal(regs.signal, true);
    assert.equal(regs.spOffset, 160);
  });

  it("v2 (6.3): signal is bit 10 and end moves to bit 11", () => {
    // sp_reg SP, type CALL, signal
    const signalCall = decodeOrcEntry(bytes("080000000504"), 0, ORC_LAYOUTS[2]);
    assert.equal(signalCall.type, "call");
    assert.equal(signalCall.signal, true);
    assert.equal(decodeOrcEntry(bytes("000000000008"), 0, ORC_LAYOUTS[2]).type, "end-of-stack");
    // bit 10 alone on an UNDEFINED entry is a signal, not an end
    assert.equal(decodeOrcEntry(bytes("000000000004"), 0, ORC_LAYOUTS[2]).type, "undefined");
  });

  it("v3 (6.4): a 3-bit type field with UNDEFINED 0, END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4", () => {
    const types = ["undefined", "end-of-stack", "call", "regs", "regs-partial"];
    types.forEach((type, n) => {
      const flags = 0x05 | (n << 8);
      const b = new Uint8Array(6);
      new DataView(b.buffer).setUint16(4, flags, true);
      assert.equal(decodeOrcEntry(b, 0, ORC_LAYOUTS[3]).type, type);
    });
    // the kernel's orc_fp_entry in v3: 0x0214
    const fp = decodeOrcEntry(bytes("1000f0ff1402"), 0, ORC_LAYOUTS[3]);
    assert.equal(fp.type, "call");
    assert.equal(fp.bpReg, "prev-sp");
    assert.equal(decodeOrcEntry(bytes("000000000508"), 0, ORC_LAYOUTS[3]).signal, true);
  });

  it("v4 (7.1): registers renumbered — 3 is SP, 8 is PREV_SP, 1 is AX", () => {
    const fp = decodeOrcEntry(bytes("1000f0ff8402"), 0, ORC_LAYOUTS[4]);
    assert.equal(fp.spReg, "bp");
    assert.equal(fp.bpReg, "prev-sp");
    assert.equal(decodeOrcEntry(bytes("080000000302"), 0, ORC_LAYOUTS[4]).spReg, "sp");
    assert.equal(decodeOrcEntry(bytes("000000000102"), 0, ORC_LAYOUTS[4]).spReg, "ax");
    // the same bits under v3 name another register: the layout matters
    assert.equal(decodeOrcEntry(bytes("080000000302"), 0, ORC_LAYOUTS[3]).spReg, "di");
  });

  it("encode ∘ decode is the identity for every layout (property)", () => {
    for (const version of [1, 2, 3, 4] as OrcVersion[]) {
      const layout = ORC_LAYOUTS[version];
      const regs = layout.registers.filter((r) => r !== "undefined") as OrcRegister[];
      const types: OrcType[] = ["call", "regs", "regs-partial"];
      fc.assert(
        fc.property(
          fc.integer({ min: -32768, max: 32767 }),
          fc.integer({ min: -32768, max: 32767 }),
          fc.constantFrom(...regs),
          fc.constantFrom(...layout.registers),
          fc.constantFrom(...types),
          fc.boolean(),
          (spOffset, bpOffset, spReg, bpReg, type, signal) => {
            // v1 has no signal bit: REGS types are signal frames, CALL is not
            const sig = layout.signalBit === undefined ? type !== "call" : signal;
            const entry: OrcEntry = { spOffset, bpOffset, spReg, bpReg, type, signal: sig };
            assert.deepEqual(decodeOrcEntry(encodeOrcEntry(entry, layout), 0, layout), entry);
          },
        ),
      );
    }
  });
});
