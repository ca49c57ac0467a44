/**
 * @module isa/arm-operands
 * Reads the memory operand out of capstone's arm64/arm operand text (`w20, [x19]`,
 * `x29, x30, [sp, #-0x10]!`, `w1, [x19, x0, lsl #2]`, `r4, [r3, #-0x20]`) and gives its access
 * from the mnemonic. capstone.js's detail API is broken, so the text is all we have.
 */

import { normalizeRegister } from "./registers.js";
import type { MemoryAccess, MemoryOperand } from "./types.js";

type ArmArch = "arm64" | "arm";

// [base{, #imm | , index{, shift #n}}]{!}{, #post}
const bracket =
  /\[([a-z][a-z0-9]*)(?:,\s*#(-?(?:0x[0-9a-f]+|\d+)))?(?:,\s*(-?)([a-z][a-z0-9]*)(?:,\s*([a-z]+)(?:\s*#(\d+))?)?)?\](!)?/;

/** Access by mnemonic, first match wins: atomics before the plain ld/st families. */
const accessRules: readonly { pattern: RegExp; access: MemoryAccess }[] = [
  { pattern: /^(?:prfu?m|pld|pli|pldw)/, access: "none" },
  { pattern: /^(?:ld|st)(?:add|clr|eor|set|smax|smin|umax|umin)/, access: "read-write" },
  { pattern: /^(?:swp|cas)/, access: "read-write" },
  { pattern: /^(?:ld|pop|rfe)/, access: "read" },
  { pattern: /^(?:st|push|srs)/, access: "write" },
];

const pairMnemonic = /^(?:ld|st)(?:n?p|[al]?a?xp)/;
const registerBytes: Readonly<Record<string, number>> = {
  w: 4,
  x: 8,
  b: 1,
  h: 2,
  s: 4,
  d: 8,
  q: 16,
};

/** Bytes moved, from the mnemonic's size letter or the width of the first register. */
function accessSize(arch: ArmArch, mnemonic: string, firstRegister: string): number | undefined {
  const m = mnemonic.replace(/\.\w+$/, "");
  if (arch === "arm") {
    if (/^(?:ld|st)r(?:ex)?s?b/.test(m)) return 1;
    if (/^(?:ld|st)r(?:ex)?s?h/.test(m)) return 2;
    if (/^(?:ld|st)r(?:ex)?d/.test(m)) return 8;
    if (/^(?:ld|st)r/.test(m)) return 4;
    return undefined;
  }
  if (/^(?:ld|st)[a-z]*s?b$/.test(m) || /^(?:swp|cas|ld[a-z]+)[al]*b$/.test(m)) return 1;
  if (/^(?:ld|st)[a-z]*s?h$/.test(m) || /^(?:swp|cas|ld[a-z]+)[al]*h$/.test(m)) return 2;
  if (/^ld[a-z]*sw$/.test(m)) return 4;
  const width = registerBytes[firstRegister.charAt(0)];
  if (width === undefined || !/^[wxbhsdq]\d+$|^[wx]zr$/.test(firstRegister)) return undefined;
  return pairMnemonic.test(m) ? width * 2 : width;
}

/** Parses a number as capstone prints it: `0x20`, `-0x20`, `8`. */
function parseImmediate(s: string): number {
  const negative = s.startsWith("-");
  const v = Number.parseInt(negative ? s.slice(1) : s, s.includes("0x") ? 16 : 10);
  return negative ? -v : v;
}

/** The memory operand of one arm64/arm instruction, or undefined when it has none. */
export function armMemoryOperand(
  arch: ArmArch,
  mnemonic: string,
  opStr: string,
): MemoryOperand | undefined {
  const rule = accessRules.find((r) => r.pattern.test(mnemonic));
  if (rule === undefined) return undefined;
  const firstRegister = opStr.split(/[,\s]/)[0] ?? "";
  const m = bracket.exec(opStr);
  let memory: MemoryOperand;
  if (m !== null) {
    const [, base = "", imm, negIndex, index, shiftKind, shift] = m;
    memory = { base: normalizeRegister(arch, base), displacement: 0, access: rule.access };
    // Post-index (`[x1], #8`) accesses the base itself; the immediate only updates it afterwards.
    if (imm !== undefined) memory.displacement = parseImmediate(imm);
    if (index !== undefined && negIndex === "") {
      memory.index = normalizeRegister(arch, index);
      memory.scale = shiftKind !== undefined && shift !== undefined ? 2 ** Number(shift) : 1;
    }
  } else {
    // ldm/stm/push/pop: `r0!, {r4, r5}` or a bare register list on the stack.
    const list = /^([a-z][a-z0-9]*)!?,\s*\{/.exec(opStr);
    const base = list?.[1] ?? (/^(?:push|pop)/.test(mnemonic) ? "sp" : undefined);
    if (base === undefined) return undefined;
    return { base: normalizeRegister(arch, base), displacement: 0, access: rule.access };
  }
  if (rule.access !== "none") {
    const size = accessSize(arch, mnemonic, firstRegister);
    if (size !== undefined) memory.sizeBytes = size;
  }
  return memory;
}
