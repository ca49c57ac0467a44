/**
 * @module diagnose/util/null-access
 * The access through a NULL pointer that a faulting instruction made, shared by the rules
 * that name the NULL register (null-deref) and blame whoever passed it (null-argument).
 */
import type { Report } from "../../oops/report.js";
import type { Instruction } from "../types.js";
import { registerValue } from "./registers.js";

/** Addresses below this are NULL plus a structure offset (the kernel never maps page 0). */
export const NULL_LIMIT = 0x1000n;

/** The fault address read as signed: NULL minus a little (container_of() on NULL) is NULL too. */
export function signedFaultAddress(report: Report): bigint | undefined {
  return report.faultAddress === undefined
    ? undefined
    : BigInt.asIntN(64, BigInt(report.faultAddress));
}

export interface NullAccess {
  /** the register that held NULL, or the small non-zero value (see `isNull`) */
  base: string;
  /** the base register was exactly 0. A small non-zero value (0x3, 0x400) is a bad pointer in
   * its own right (a corrupted link, a wrong field, a count read as a pointer), not NULL */
  isNull: boolean;
  baseValue: bigint;
  /** base + index × scale + displacement − NULL: the field offset, negative below NULL */
  offset: bigint;
}

/**
 * The instruction's base register held NULL and its effective address is the fault address
 * (when the report gives one): otherwise decoding and registers disagree, and no register
 * can be named.
 */
export function nullAccess(
  report: Report,
  instruction: Instruction | undefined,
): NullAccess | undefined {
  const base = instruction?.base;
  const baseValue = base ? registerValue(report, base) : undefined;
  if (!base || baseValue === undefined || baseValue >= NULL_LIMIT) return undefined;
  const index = instruction.index;
  const indexValue = index ? registerValue(report, index) : 0n;
  if (indexValue === undefined) return undefined;
  const offset = BigInt.asIntN(
    64,
    baseValue + indexValue * BigInt(instruction.scale ?? 1) + BigInt(instruction.displacement ?? 0),
  );
  const fault = signedFaultAddress(report);
  if (fault !== undefined && offset !== fault) return undefined;
  return { base, baseValue, offset, isNull: baseValue === 0n };
}
