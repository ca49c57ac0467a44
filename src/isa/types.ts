/**
 * @module isa/types
 * The shapes every decoder in `isa/` returns: one decoded instruction, its memory operand, and
 * the decoding of a whole oops `Code:` line with the faulting instruction marked.
 */

/** The instruction sets crashlens decodes. `arm` is 32-bit ARM (Thumb when the Code: units are 2 bytes). */
export type IsaArch = "x86_64" | "i386" | "arm64" | "arm";

/** What an instruction does to its memory operand. lea, nop and prefetch touch nothing: `none`. */
export type MemoryAccess = "read" | "write" | "read-write" | "none";

/** An explicit memory operand: `segment:displacement(base,index,scale)` in AT&T terms. */
export interface MemoryOperand {
  /** full-width register name (`rax`, `x19`), absent for absolute addresses */
  base?: string;
  /** full-width index register, absent when the operand has none */
  index?: string;
  /** 1, 2, 4 or 8 (x86); the shift as a multiplier on arm64 (`lsl #3` → 8) */
  scale?: number;
  /** signed byte offset added to the base */
  displacement: number;
  /** an explicit segment override (`gs`, `fs`), x86 only */
  segment?: string;
  /** bytes accessed, when known */
  sizeBytes?: number;
  access: MemoryAccess;
}

export interface DecodedInstruction {
  /** byte offset of the instruction from the first byte of the Code: line */
  offset: number;
  /** length in bytes */
  length: number;
  /** the instruction's bytes as objdump shows them: "48 89 30" (x86) or the word "39000274" (arm) */
  bytes: string;
  /** AT&T in objdump style on x86 (`mov %rsi,(%rax)`), the vendor syntax on arm; lower case,
   * one space between mnemonic and operands; `(bad)` for bytes that do not decode */
  text: string;
  /** Intel syntax with explicit sizes (`mov qword ptr [rax],rsi`), x86 only */
  intel?: string;
  /** the mnemonic without prefixes, lower case (`mov`, `decl`, `strb`) */
  mnemonic: string;
  /** the absolute address when the caller gave the faulting address */
  address?: bigint;
  memory?: MemoryOperand;
  /** true when the bytes do not form a valid instruction (or are cut off at the end) */
  isBad: boolean;
  /** full-width registers the instruction reads, when the decoder says (x86) */
  registersRead?: string[];
  /** full-width registers the instruction writes, when the decoder says (x86) */
  registersWritten?: string[];
}

export interface CodeDecoding {
  arch: IsaArch;
  /** the decoded instructions, in order, starting after `skippedBytes` */
  instructions: DecodedInstruction[];
  /** index into `instructions` of the faulting instruction */
  faultIndex: number;
  /** leading bytes left out so that decoding lands on the faulting byte */
  skippedBytes: number;
  /** the faulting instruction is a deliberate trap (x86 `ud2`, arm64 `brk #0x800`, arm BUG `udf`):
   * a BUG()/WARN() whose decoding says nothing about the cause */
  trapOnly: boolean;
}

/** Bytes from a Code: line and where the faulting instruction starts. */
export interface CodeBytes {
  /** the bytes in memory order */
  bytes: Uint8Array;
  /** byte offset of the faulting instruction in `bytes` */
  faultOffset: number;
}

/** A Code: line parsed: the bytes, the fault offset and the unit the kernel printed them in. */
export interface ParsedCodeLine extends CodeBytes {
  /** bytes per printed token: 1 (x86), 2 (Thumb), 4 (arm64, arm) */
  unit: 1 | 2 | 4;
}
