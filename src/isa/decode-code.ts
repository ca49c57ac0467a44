/**
 * @module isa/decode-code
 * Decodes the bytes of an oops `Code:` line so that decoding lands exactly on the faulting
 * instruction. x86 instructions have no fixed length and the line starts at an arbitrary byte,
 * so, as syzkaller's `decompileWithOffset` does, we try cutting 0..7 leading bytes and keep the
 * first cut whose decoding has an instruction starting at the fault offset with nothing invalid
 * before it. arm64 and ARM words need no search.
 */

import { decodeArm } from "./arm.js";
import { isTrap } from "./traps.js";
import type { CodeBytes, CodeDecoding, DecodedInstruction, IsaArch } from "./types.js";
import { decodeX86 } from "./x86.js";

/** Leading bytes tried on x86: more than the longest run a misaligned start needs in practice. */
export const maxResyncBytes = 7;

type LinearDecoder = (start: number) => Promise<DecodedInstruction[]>;

/**
 * Decodes `code` for `arch` (pass `parseCodeLine`'s result; its `unit` 2 selects Thumb on arm).
 * `address`, when known, is the address of the faulting byte (RIP, pc); branch targets then
 * come out absolute, as objdump prints them on the real address. When no cut of 0..7 bytes
 * works, decoding starts at the fault byte itself (`skippedBytes === faultOffset`), like
 * decodecode's second listing. Returns undefined when even that gives no valid instruction at
 * the fault offset. Never throws on bad input.
 */
export async function decodeCode(
  arch: IsaArch,
  code: CodeBytes & { unit?: 1 | 2 | 4 },
  address?: bigint,
): Promise<CodeDecoding | undefined> {
  const { bytes, faultOffset } = code;
  if (!Number.isInteger(faultOffset) || faultOffset < 0 || faultOffset >= bytes.length) {
    return undefined;
  }
  const base = address === undefined ? undefined : address - BigInt(faultOffset);
  const withBase = <T extends object>(o: T) => (base === undefined ? o : { ...o, base });
  let decode: LinearDecoder;
  let step: number;
  let maxSkip: number;
  if (arch === "x86_64" || arch === "i386") {
    const bitness = arch === "x86_64" ? 64 : 32;
    decode = (start) => decodeX86(bytes, withBase({ bitness, start }));
    step = 1;
    maxSkip = maxResyncBytes;
  } else {
    // The kernel prints Thumb code in halfwords; a Thumb-2 instruction may straddle the first one.
    const unit = code.unit === 2 ? 2 : 4;
    if (arch === "arm64" && unit !== 4) return undefined;
    if (unit === 4 && (faultOffset % 4 !== 0 || bytes.length % 4 !== 0)) return undefined;
    decode = (start) => decodeArm(bytes, withBase({ arch, unit, start }));
    step = unit;
    maxSkip = unit === 2 ? 2 : 0;
  }
  return resync(arch, decode, faultOffset, step, Math.min(maxSkip, faultOffset));
}

async function resync(
  arch: IsaArch,
  decode: LinearDecoder,
  faultOffset: number,
  step: number,
  maxSkip: number,
): Promise<CodeDecoding | undefined> {
  const cuts: number[] = [];
  for (let skip = 0; skip <= maxSkip; skip += step) cuts.push(skip);
  // Last resort: decode from the faulting byte itself (decodecode's second listing).
  if (faultOffset > maxSkip) cuts.push(faultOffset);
  for (const skip of cuts) {
    const instructions = await decode(skip);
    const faultIndex = instructions.findIndex((i) => i.offset === faultOffset);
    if (faultIndex === -1) continue;
    if (instructions.slice(0, faultIndex + 1).some((i) => i.isBad)) continue;
    const fault = instructions[faultIndex];
    if (fault === undefined) continue;
    return { arch, instructions, faultIndex, skippedBytes: skip, trapOnly: isTrap(arch, fault) };
  }
  return undefined;
}
