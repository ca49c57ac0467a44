/**
 * @module diagnose/util/registers
 * Register values of a report by their full-width names, with the line each was read from.
 */
import { type IsaArch, normalizeRegister } from "../../isa/index.js";
import type { Report } from "../../oops/report.js";

/** The report's architecture as the decoder knows it, when it knows it. */
const ISA: Partial<Record<Report["arch"], IsaArch>> = {
  x86_64: "x86_64",
  i386: "i386",
  arm64: "arm64",
  arm: "arm",
};

export function isaOf(report: Report): IsaArch | undefined {
  return ISA[report.arch];
}

/** "r15" → "r15", "eax" → "rax" (x86-64), "lr" → "x30" (arm64) */
export function fullRegister(report: Report, name: string): string {
  const isa = isaOf(report);
  return isa ? normalizeRegister(isa, name) : name.toLowerCase();
}

export function registerValue(report: Report, name: string): bigint | undefined {
  const full = fullRegister(report, name);
  const value = report.registers[full] ?? report.registers[name.toLowerCase()];
  if (value === undefined) return undefined;
  try {
    return BigInt(value);
  } catch {
    return undefined;
  }
}

export function registerLine(report: Report, name: string): number | undefined {
  const full = fullRegister(report, name);
  return (
    report.sourceLines[`registers.${full}`] ?? report.sourceLines[`registers.${name.toLowerCase()}`]
  );
}

export function hex(value: bigint | number): string {
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  return `${negative ? "-" : ""}0x${magnitude.toString(16)}`;
}
