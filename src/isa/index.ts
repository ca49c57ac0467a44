/**
 * @module isa
 * Instruction decoding for crash analysis: the oops `Code:` line decoded so that it lands on the
 * faulting instruction (x86 through iced-x86, arm64/arm through capstone, both WASM and loaded
 * on first use), AT&T instruction text from pasted `crash dis` output, register names and
 * calling conventions.
 */

// Instruction text and registers
export { type AttInstruction, parseAttInstruction } from "./att-text.js";
export { attToIntel } from "./att-to-intel.js";
export { type CallingConvention, callingConventions } from "./calling-convention.js";
// The Code: line: reading it, choosing it, decoding it, printing it
export { maxCodeBytes, parseCodeLine, shouldDecode } from "./code-line.js";
export { decodeCode, maxResyncBytes } from "./decode-code.js";
export { type FaultingCode, findFaultingCode } from "./find-faulting-code.js";
export { formatListing } from "./listing.js";
export { normalizeRegister } from "./registers.js";
export { isTrap, trapRules } from "./traps.js";
// Shapes
export type {
  CodeBytes,
  CodeDecoding,
  DecodedInstruction,
  IsaArch,
  MemoryAccess,
  MemoryOperand,
  ParsedCodeLine,
} from "./types.js";
export { memoryAccessFor } from "./x86-access.js";
