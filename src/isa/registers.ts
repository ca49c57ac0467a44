/**
 * @module isa/registers
 * Maps every spelling of a register to the full-width name the kernel's register dump uses for
 * it, so that a decoded operand (`%ecx`, `w3`) can be looked up in `RAX:`/`x3 :` values.
 */

import type { IsaArch } from "./types.js";

// x86 general registers: the full 64-bit name, then its 32-, 16- and 8-bit (low, high) parts.
const x86Parts: readonly (readonly string[])[] = [
  ["rax", "eax", "ax", "al", "ah"],
  ["rbx", "ebx", "bx", "bl", "bh"],
  ["rcx", "ecx", "cx", "cl", "ch"],
  ["rdx", "edx", "dx", "dl", "dh"],
  ["rsi", "esi", "si", "sil"],
  ["rdi", "edi", "di", "dil"],
  ["rbp", "ebp", "bp", "bpl"],
  ["rsp", "esp", "sp", "spl"],
  ["rip", "eip", "ip"],
  ...[8, 9, 10, 11, 12, 13, 14, 15].map((n) => [`r${n}`, `r${n}d`, `r${n}w`, `r${n}b`, `r${n}l`]),
];

function table(rows: readonly (readonly string[])[], pick: (row: readonly string[]) => string) {
  const map = new Map<string, string>();
  for (const row of rows) for (const name of row) map.set(name, pick(row));
  return map;
}

const x86_64Names = table(x86Parts, (row) => row[0] ?? "");
// On i386 the widest register is the 32-bit one (and r8..r15 do not exist).
const i386Names = table(x86Parts.slice(0, 9), (row) => row[1] ?? "");

// arm64: wN is the low half of xN; the kernel dump prints x29 and lr (x30), objdump x29/x30.
const arm64Aliases: Readonly<Record<string, string>> = {
  wzr: "xzr",
  wsp: "sp",
  fp: "x29",
  lr: "x30",
  w29: "x29",
  w30: "x30",
};

// arm: the kernel's register dump names r0..r10, fp, ip, sp, lr, pc; capstone prints sb/sl too.
const armAliases: Readonly<Record<string, string>> = {
  sb: "r9",
  sl: "r10",
  r11: "fp",
  r12: "ip",
  r13: "sp",
  r14: "lr",
  r15: "pc",
};

/**
 * The full-width name of a register: `eax`/`ax`/`al` → `rax`, `r15d` → `r15` (x86_64), `ax` →
 * `eax` (i386), `w3` → `x3` (arm64), `r12` → `ip` (arm). A leading `%` and case are ignored;
 * unknown names come back lower-cased and otherwise unchanged.
 */
export function normalizeRegister(arch: IsaArch, name: string): string {
  const n = name.trim().replace(/^%/, "").toLowerCase();
  switch (arch) {
    case "x86_64":
      return x86_64Names.get(n) ?? n;
    case "i386":
      return i386Names.get(n) ?? n;
    case "arm64": {
      const alias = arm64Aliases[n];
      if (alias !== undefined) return alias;
      return /^w\d+$/.test(n) ? `x${n.slice(1)}` : n;
    }
    case "arm":
      return armAliases[n] ?? n;
  }
}

/** Width in bytes of an x86 register by its spelling (`ecx` → 4), undefined for non-GPRs. */
export function x86RegisterBytes(name: string): number | undefined {
  const n = name.replace(/^%/, "").toLowerCase();
  for (const row of x86Parts) {
    const at = row.indexOf(n);
    if (at !== -1) return [8, 4, 2, 1, 1][at];
  }
  return undefined;
}
