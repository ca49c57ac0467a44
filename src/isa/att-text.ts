/**
 * @module isa/att-text
 * Parses one x86 instruction written in AT&T syntax, as `crash dis`, gdb and objdump print it
 * (`mov    0x140(%r15),%ecx`, `lock decl 0x1c(%rdi)`), into mnemonic, prefixes, operands and
 * the memory operand with its access. No disassembler is involved.
 */

import { normalizeRegister, x86RegisterBytes } from "./registers.js";
import type { MemoryOperand } from "./types.js";
import { baseMnemonic, memoryAccessFor } from "./x86-access.js";

export interface AttInstruction {
  /** lower case, without prefixes: `decl`, `mov` */
  mnemonic: string;
  /** `lock`, `rep`, `data16`, `cs`, … in the order written */
  prefixes: string[];
  /** operands in AT&T order (destination last), spaces removed */
  operands: string[];
  memory?: MemoryOperand;
}

/** Lines longer than this are not one instruction. */
const maxTextLength = 512;

const prefixWords = new Set([
  "lock",
  "rep",
  "repe",
  "repz",
  "repne",
  "repnz",
  "data16",
  "data32",
  "addr32",
  "cs",
  "ds",
  "es",
  "fs",
  "gs",
  "ss",
  "notrack",
  "bnd",
  "xacquire",
  "xrelease",
]);

// What crash and objdump print around the instruction itself.
const decorations: readonly RegExp[] = [
  /^\s*0x[0-9a-f]+\s*(?:<[^>]*>)?:\s*/i, // crash: "0xffffffff810a86f4 <run_posix_cpu_timers+164>:"
  /^\s*[0-9a-f]+:\s+(?:[0-9a-f]{2}\s)+\s*/i, // objdump: "  2a:	48 f7 f5   	"
  /\s*\[FTRACE NOP\]\s*$/i,
  /\s*(?:\/\/|#).*$/, // "//timer->base" and "# 0xffffffff81a0b000" comments
  /\s*<[^>]*>\s*$/, // branch target symbol "<account_process_tick>"
];

const mnemonicWord = /^[a-z][a-z0-9.]*$/;
const registerOperand = /^%[a-z][a-z0-9]*$/;
const memoryOperand =
  /^(\*)?(?:%([a-z]s):)?(-?(?:0x[0-9a-f]+|\d+))?(?:\((%[a-z0-9]+)?(?:,(%[a-z0-9]+)(?:,([1248]))?)?\))?$/;

/** Parses the text of one AT&T instruction; undefined when it does not look like one. */
export function parseAttInstruction(text: string): AttInstruction | undefined {
  if (text.length > maxTextLength) return undefined;
  let t = text.replace(/\t/g, " ");
  for (const d of decorations) t = t.replace(d, "");
  const words = t.trim().toLowerCase().split(/\s+/);
  const prefixes: string[] = [];
  while (words.length > 1 && prefixWords.has(words[0] ?? "")) prefixes.push(words.shift() ?? "");
  const mnemonic = words.shift();
  if (mnemonic === undefined || !mnemonicWord.test(mnemonic)) return undefined;
  const operands = splitOperands(words.join(""));
  if (operands === undefined) return undefined;
  const result: AttInstruction = { mnemonic, prefixes, operands };
  const memory = findMemory(mnemonic, operands);
  if (memory !== undefined) result.memory = memory;
  return result;
}

/** Splits on commas outside parentheses; undefined for unbalanced or empty operands. */
function splitOperands(s: string): string[] | undefined {
  if (s === "") return [];
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (c === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  if (depth !== 0 || out.some((o) => o === "")) return undefined;
  return out;
}

// Branches take bare numbers as targets, not as absolute memory addresses.
const isBranch = (m: string) => /^(?:j|call|loop|xbegin)/.test(m);

/** The memory operand; of two (string instructions), the last, i.e. the destination. */
function findMemory(mnemonic: string, operands: readonly string[]): MemoryOperand | undefined {
  for (let i = operands.length - 1; i >= 0; i--) {
    const op = operands[i] ?? "";
    if (op.startsWith("$") || registerOperand.test(op)) continue;
    const m = memoryOperand.exec(op);
    if (m === null) continue;
    const [, star, segment, disp, base, index, scale] = m;
    const hasParens = op.includes("(");
    // A bare number is a branch target, or an absolute address everywhere else.
    if (!hasParens && segment === undefined && star === undefined && isBranch(mnemonic)) continue;
    if (disp === undefined && !hasParens) continue;
    const isDestination = i === operands.length - 1;
    const memory: MemoryOperand = {
      displacement: parseDisplacement(disp),
      access: memoryAccessFor(mnemonic, isDestination),
    };
    if (base !== undefined) memory.base = normalizeRegister("x86_64", base);
    if (index !== undefined) {
      memory.index = normalizeRegister("x86_64", index);
      memory.scale = scale === undefined ? 1 : Number(scale);
    }
    if (segment !== undefined) memory.segment = segment;
    const size = memory.access === "none" ? undefined : operandSize(mnemonic, operands);
    if (size !== undefined) memory.sizeBytes = size;
    return memory;
  }
  return undefined;
}

function parseDisplacement(disp: string | undefined): number {
  if (disp === undefined) return 0;
  const negative = disp.startsWith("-");
  const magnitude = BigInt(negative ? disp.slice(1) : disp);
  // Wider than 64 bits cannot be an x86 displacement; as signed 64 it is the offset meant.
  return Number(BigInt.asIntN(64, negative ? -magnitude : magnitude));
}

/** Size from the mnemonic's suffix (`decl` → 4) or from a register operand (`%ecx` → 4). */
function operandSize(mnemonic: string, operands: readonly string[]): number | undefined {
  const fromSuffix = baseMnemonic(mnemonic).sizeBytes;
  if (fromSuffix !== undefined) return fromSuffix;
  // movz/movs extend: the register is wider than the memory read.
  if (/^mov[sz]/.test(mnemonic) && mnemonic !== "movs") return undefined;
  for (const op of operands) {
    if (registerOperand.test(op)) {
      const bytes = x86RegisterBytes(op);
      if (bytes !== undefined) return bytes;
    }
  }
  return undefined;
}
