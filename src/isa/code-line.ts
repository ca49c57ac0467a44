/**
 * @module isa/code-line
 * Reads the kernel's `Code:` line: hex tokens of 1 (x86), 2 (Thumb) or 4 (arm64, arm) bytes with
 * the faulting one in `<xx>` or `(xxxxxxxx)` (x86 `show_opcodes()`, arm64 `dump_kernel_instr()`),
 * and decides which Code: lines of a log are worth decoding.
 */

import type { ParsedCodeLine } from "./types.js";

/** The kernel prints 64 bytes on x86 and a handful of words elsewhere; anything longer is not a
 * Code: line we trust. */
export const maxCodeBytes = 512;

const codePrefix = /(?:^|[\s\]>:])Code: /;
const token = /^([<(]?)([0-9a-fA-F]+)([>)]?)$/;
const unitByDigits: Readonly<Record<number, 1 | 2 | 4>> = { 2: 1, 4: 2, 8: 4 };

/**
 * Parses one `Code:` line (anything may precede `Code:`, such as a timestamp). Returns undefined
 * when the line has no bytes ("Unable to access opcode bytes", "Bad RIP value."), no or several
 * fault markers, mixed token widths, or more than `maxCodeBytes` bytes.
 */
export function parseCodeLine(text: string): ParsedCodeLine | undefined {
  const at = codePrefix.exec(text);
  if (at === null) return undefined;
  const rest = text.slice(at.index + at[0].length).trim();
  if (rest.length === 0 || rest.length > maxCodeBytes * 3 + 16) return undefined;
  const tokens = rest.split(/\s+/);
  let unit: 1 | 2 | 4 | undefined;
  let faultToken = -1;
  const values: number[] = [];
  for (const [i, raw] of tokens.entries()) {
    const m = token.exec(raw);
    if (m === null) return undefined;
    const [, open = "", digits = "", close = ""] = m;
    const tokenUnit = unitByDigits[digits.length];
    if (tokenUnit === undefined || (unit !== undefined && tokenUnit !== unit)) return undefined;
    unit = tokenUnit;
    if (open !== "" || close !== "") {
      const paired = (open === "<" && close === ">") || (open === "(" && close === ")");
      if (!paired || faultToken !== -1) return undefined;
      faultToken = i;
    }
    values.push(Number.parseInt(digits, 16));
  }
  if (unit === undefined || faultToken === -1) return undefined;
  // Words are printed as numbers; memory holds them little-endian.
  const bytes = new Uint8Array(values.length * unit);
  for (const [i, v] of values.entries()) {
    for (let b = 0; b < unit; b++) bytes[i * unit + b] = (v >>> (8 * b)) & 0xff;
  }
  if (bytes.length > maxCodeBytes) return undefined;
  return { bytes, faultOffset: faultToken * unit, unit };
}

// `RIP: 0033:0x4665d9`, `EIP: 0073:[<b7f1d424>]`: the code segment selector before the colon.
const ipLine = /\b[RE]IP: ([0-9a-fA-F]{4}):/;
/** How many lines above a Code: line its RIP/EIP line may sit (x86 prints the registers between). */
const ipLookBack = 4;

/**
 * Whether the Code: line at `codeLineIndex` is kernel code worth decoding. It is not when the
 * line holds no bytes, or when the nearest RIP/EIP line above it shows a user-mode code segment
 * (selector with RPL 3: `0033`, `0023`, `0073`), which x86 prints for the user-space side of a
 * syscall. syzkaller skips those too, and also skips decoding for hang/stall reports
 * (`rcu ... stall`, soft lockup): that depends on the report kind, which the caller knows.
 */
export function shouldDecode(codeLineIndex: number, lines: readonly string[]): boolean {
  const line = lines[codeLineIndex];
  if (line === undefined || parseCodeLine(line) === undefined) return false;
  for (let i = codeLineIndex - 1; i >= 0 && i >= codeLineIndex - ipLookBack; i--) {
    const m = ipLine.exec(lines[i] ?? "");
    if (m === null) continue;
    const selector = Number.parseInt(m[1] ?? "0", 16);
    return (selector & 3) !== 3;
  }
  return true;
}
