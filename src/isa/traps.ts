/**
 * @module isa/traps
 * Instructions the kernel plants on purpose to stop: BUG() and WARN() compile to them, so a
 * fault on one says "an assertion fired", not "this access went wrong".
 */

import type { DecodedInstruction, IsaArch } from "./types.js";

interface TrapRule {
  arch: IsaArch;
  /** matches the instruction's text */
  text: RegExp;
  why: string;
}

export const trapRules: readonly TrapRule[] = [
  { arch: "x86_64", text: /^ud2$/, why: "BUG()/WARN() use ud2 (arch/x86/include/asm/bug.h)" },
  { arch: "i386", text: /^ud2$/, why: "BUG()/WARN() use ud2 (arch/x86/include/asm/bug.h)" },
  {
    arch: "arm64",
    text: /^brk #0x800$/,
    why: "BUG()/WARN() use brk with BUG_BRK_IMM 0x800 (arch/arm64/include/asm/brk-imm.h)",
  },
  {
    arch: "arm",
    text: /^udf #(?:18|2)$/,
    why: "BUG() is the undefined instruction 0xe7f001f2 (ARM) / 0xde02 (Thumb) (arch/arm/include/asm/bug.h)",
  },
];

/** Whether `ins` is a deliberate BUG/WARN trap on `arch`. */
export function isTrap(arch: IsaArch, ins: DecodedInstruction): boolean {
  return trapRules.some((r) => r.arch === arch && r.text.test(ins.text));
}
