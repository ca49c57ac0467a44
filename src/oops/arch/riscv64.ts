/**
 * @module oops/arch/riscv64
 * RISC-V oopses: "epc : func+0x…", " ra : …", "epc : … ra : … sp : …", "status: … cause: …".
 */
import { type ArchSpec, pairs } from "./types.js";

const PAIR = /\b(epc|ra|sp|gp|tp|t\d|s\d{1,2}|a\d|status|badaddr|cause)\s*:\s*([0-9a-f]{16})\b/g;

export const riscv64: ArchSpec = {
  id: "riscv64",
  registerLine: /^\s*(?:epc|gp|t1|s1|a0|a2|a4|a6|s2|s5|s8|s11|t5|status)\s*:\s*[0-9a-f]{16}/,
  registers: (text) => pairs(text, PAIR),
  ipLines: [/^\s*epc\s*:\s*(.*)$/],
  release: /riscv/,
  pointerDigits: 16,
};
