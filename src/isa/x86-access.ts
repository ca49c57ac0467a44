/**
 * @module isa/x86-access
 * What an x86 instruction does to a memory operand, by mnemonic, for instruction TEXT (a pasted
 * `crash dis` line) where no decoder tells us. In AT&T order the destination is the last operand;
 * a memory source is read.
 */

import type { MemoryAccess } from "./types.js";

/** Access to a memory operand that is the destination (last AT&T operand) or the only operand. */
const destinationAccess: Readonly<Record<string, MemoryAccess>> = {
  // compare and test only read
  cmp: "read",
  test: "read",
  bt: "read",
  ptest: "read",
  ucomiss: "read",
  ucomisd: "read",
  comiss: "read",
  comisd: "read",
  // control transfer and single-operand arithmetic read their memory operand
  push: "read",
  call: "read",
  jmp: "read",
  lcall: "read",
  ljmp: "read",
  mul: "read",
  imul: "read",
  div: "read",
  idiv: "read",
  lgdt: "read",
  lidt: "read",
  clflush: "read",
  clflushopt: "read",
  clwb: "read",
  verr: "read",
  verw: "read",
  // these only store
  mov: "write",
  movabs: "write",
  movnti: "write",
  movaps: "write",
  movups: "write",
  movapd: "write",
  movupd: "write",
  movdqa: "write",
  movdqu: "write",
  movq: "write",
  movd: "write",
  movss: "write",
  movsd: "write",
  movntdq: "write",
  vmovdqa: "write",
  vmovdqu: "write",
  vmovaps: "write",
  vmovups: "write",
  stos: "write",
  pop: "write",
  sgdt: "write",
  sidt: "write",
  str: "write",
  fxsave: "write",
  xsave: "write",
  xsaves: "write",
  xsaveopt: "write",
  // read, modify, write
  add: "read-write",
  adc: "read-write",
  sub: "read-write",
  sbb: "read-write",
  and: "read-write",
  or: "read-write",
  xor: "read-write",
  inc: "read-write",
  dec: "read-write",
  neg: "read-write",
  not: "read-write",
  shl: "read-write",
  sal: "read-write",
  shr: "read-write",
  sar: "read-write",
  rol: "read-write",
  ror: "read-write",
  rcl: "read-write",
  rcr: "read-write",
  shld: "read-write",
  shrd: "read-write",
  xadd: "read-write",
  xchg: "read-write",
  cmpxchg: "read-write",
  cmpxchg8b: "read-write",
  cmpxchg16b: "read-write",
  bts: "read-write",
  btr: "read-write",
  btc: "read-write",
  // string instructions: the destination is the last AT&T operand, (%rdi)
  movs: "write",
  cmps: "read",
  scas: "read",
  lods: "read",
  ins: "write",
  outs: "read",
  // address arithmetic, hints and the undefined-instruction traps touch no memory
  lea: "none",
  ud0: "none",
  ud1: "none",
  nop: "none",
  prefetch: "none",
  prefetchw: "none",
  prefetcht0: "none",
  prefetcht1: "none",
  prefetcht2: "none",
  prefetchnta: "none",
};

/** Mnemonic families matched by prefix: `sete`, `cmovne`, `jne`. */
const familyAccess: readonly { prefix: string; dest: MemoryAccess; source: MemoryAccess }[] = [
  { prefix: "set", dest: "write", source: "read" },
  { prefix: "cmov", dest: "read", source: "read" },
  { prefix: "j", dest: "read", source: "read" },
  { prefix: "prefetch", dest: "none", source: "none" },
  { prefix: "nop", dest: "none", source: "none" },
  // x87: stores start fst/fist/fnst/fbstp; every other memory operand is loaded
  { prefix: "fst", dest: "write", source: "write" },
  { prefix: "fist", dest: "write", source: "write" },
  { prefix: "fnst", dest: "write", source: "write" },
  { prefix: "fbstp", dest: "write", source: "write" },
  { prefix: "fxrstor", dest: "read", source: "read" },
  { prefix: "f", dest: "read", source: "read" },
];

const sizeSuffix: Readonly<Record<string, number>> = { b: 1, w: 2, l: 4, q: 8 };

/** The table's spelling of an AT&T mnemonic and the operand size its suffix states, if any:
 * `decl` → `dec`, 4; `movzbl` → `movzbl`; `callq` → `call`, 8. */
export function baseMnemonic(mnemonic: string): { base: string; sizeBytes?: number } {
  const m = mnemonic.toLowerCase();
  if (m in destinationAccess) return { base: m };
  const last = m.slice(-1);
  const stem = m.slice(0, -1);
  const size = sizeSuffix[last];
  if (size !== undefined && stem in destinationAccess) return { base: stem, sizeBytes: size };
  return { base: m };
}

/**
 * Access to a memory operand of `mnemonic` (AT&T spelling, suffix allowed). `isDestination` is
 * true when the memory operand is the last (or only) operand. Unknown mnemonics with memory as
 * destination give `read-write`, the answer that rules out neither.
 */
export function memoryAccessFor(mnemonic: string, isDestination: boolean): MemoryAccess {
  const { base } = baseMnemonic(mnemonic);
  const known = destinationAccess[base];
  if (known === "none") return "none";
  const family = familyAccess.find((f) => base.startsWith(f.prefix));
  if (!isDestination) {
    if (base === "xchg" || base === "xadd" || base === "cmpxchg") return "read-write";
    return family?.source ?? "read";
  }
  return known ?? family?.dest ?? "read-write";
}
