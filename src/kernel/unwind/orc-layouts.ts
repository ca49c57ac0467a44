/**
 * @module kernel/unwind/orc-layouts
 * The four bit layouts of `struct orc_entry` (s16 sp_offset; s16 bp_offset; u16 bits) as data,
 * and one decoder that reads any of them into the 6.4+ vocabulary (types.ts). Sources:
 * `arch/x86/include/asm/orc_types.h` of each version; drgn `libdrgn/orc.h`.
 */
import type { OrcEntry, OrcRegister, OrcType, OrcVersion } from "./types.js";

export const ORC_ENTRY_SIZE = 6;

/** register numbers up to 7.0 (ORC_REG_* in orc_types.h since v4.14) */
const REGISTERS_V1: readonly OrcRegister[] = [
  "undefined",
  "prev-sp",
  "dx",
  "di",
  "bp",
  "sp",
  "r10",
  "r13",
  "bp-indirect",
  "sp-indirect",
];

/** 7.1+ renumbering (kernel 1735858caa4b): AX added, SP/PREV_SP/DI moved */
const REGISTERS_V4: readonly OrcRegister[] = [
  "undefined",
  "ax",
  "dx",
  "sp",
  "bp",
  "di",
  "r10",
  "r13",
  "prev-sp",
  "sp-indirect",
  "bp-indirect",
];

/** types before 6.4: a 2-bit field; "no info" and "end" were spelled with sp_reg + end bit */
const TYPES_V1: readonly OrcType[] = ["call", "regs", "regs-partial"];
/** 6.4+ (fb799447ae29 "x86,objtool: Split UNWIND_HINT_EMPTY in two"): a 3-bit field */
const TYPES_V3: readonly OrcType[] = ["undefined", "end-of-stack", "call", "regs", "regs-partial"];

export interface OrcLayout {
  readonly version: OrcVersion;
  /** which kernels wrote it, and the commit that introduced it */
  readonly origin: string;
  readonly registers: readonly OrcRegister[];
  readonly types: readonly OrcType[];
  /** width of the type field, which starts at bit 8 (after sp_reg 0-3 and bp_reg 4-7) */
  readonly typeBits: number;
  /** bit of the `end` flag (v1/v2 only) */
  readonly endBit?: number;
  /** bit of the `signal` flag (v2+) */
  readonly signalBit?: number;
}

export const ORC_LAYOUTS: Readonly<Record<OrcVersion, OrcLayout>> = {
  1: {
    version: 1,
    origin: "v4.14–6.2, ee9f8fce9964 (x86/unwind: Add the ORC unwinder)",
    registers: REGISTERS_V1,
    types: TYPES_V1,
    typeBits: 2,
    endBit: 10,
  },
  2: {
    version: 2,
    origin: "v6.3, ffb1b4a41016 (x86/unwind/orc: Add 'signal' field to ORC metadata)",
    registers: REGISTERS_V1,
    types: TYPES_V1,
    typeBits: 2,
    signalBit: 10,
    endBit: 11,
  },
  3: {
    version: 3,
    origin: "v6.4–7.0, fb799447ae29 (x86,objtool: Split UNWIND_HINT_EMPTY in two)",
    registers: REGISTERS_V1,
    types: TYPES_V3,
    typeBits: 3,
    signalBit: 11,
  },
  4: {
    version: 4,
    origin: "v7.1+, 1735858caa4b (ORC register numbers reordered)",
    registers: REGISTERS_V4,
    types: TYPES_V3,
    typeBits: 3,
    signalBit: 11,
  },
};

const bit = (bits: number, at: number | undefined) => at !== undefined && ((bits >> at) & 1) === 1;

/** the 16-bit flags word of an entry (sp_reg, bp_reg, type, flags) */
export function decodeOrcFlags(
  spOffset: number,
  bpOffset: number,
  bits: number,
  layout: OrcLayout,
): OrcEntry {
  const spReg = layout.registers[bits & 0xf] ?? "undefined";
  const bpReg = layout.registers[(bits >> 4) & 0xf] ?? "undefined";
  let type: OrcType = layout.types[(bits >> 8) & ((1 << layout.typeBits) - 1)] ?? "undefined";
  // before 6.4 an entry with no CFA register meant "no info", or "end of stack" with `end` set
  if (layout.endBit !== undefined && spReg === "undefined")
    type = bit(bits, layout.endBit) ? "end-of-stack" : "undefined";
  // v1 has no signal bit: the REGS types are the interrupted frames
  const signal =
    layout.signalBit === undefined
      ? type === "regs" || type === "regs-partial"
      : bit(bits, layout.signalBit);
  return { spOffset, bpOffset, spReg, bpReg, type, signal };
}

/** decodes the entry at `offset` of `bytes` */
export function decodeOrcEntry(bytes: Uint8Array, offset: number, layout: OrcLayout): OrcEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, ORC_ENTRY_SIZE);
  return decodeOrcFlags(
    view.getInt16(0, true),
    view.getInt16(2, true),
    view.getUint16(4, true),
    layout,
  );
}

/** the inverse of decodeOrcEntry, for tests and fixtures */
export function encodeOrcEntry(entry: OrcEntry, layout: OrcLayout): Uint8Array {
  const out = new Uint8Array(ORC_ENTRY_SIZE);
  const view = new DataView(out.buffer);
  view.setInt16(0, entry.spOffset, true);
  view.setInt16(2, entry.bpOffset, true);
  const reg = (r: OrcRegister) => Math.max(0, layout.registers.indexOf(r));
  let bits = reg(entry.spReg) | (reg(entry.bpReg) << 4);
  if (
    layout.endBit !== undefined &&
    (entry.type === "undefined" || entry.type === "end-of-stack")
  ) {
    bits &= ~0xf; // sp_reg UNDEFINED spells both
    if (entry.type === "end-of-stack") bits |= 1 << layout.endBit;
  } else {
    bits |= Math.max(0, layout.types.indexOf(entry.type)) << 8;
  }
  if (entry.signal && layout.signalBit !== undefined) bits |= 1 << layout.signalBit;
  view.setUint16(4, bits, true);
  return out;
}
