/**
 * @module oops/fields/code
 * The "Code:" line: instruction bytes around the fault with the faulting unit marked as
 * `<xx>` (x86) or `(xxxxxxxx)` (arm64 and others).
 */
import type { CodeBytes } from "../report.js";

export const CODE_LINE = /^\s*Code: (.*)$/;

export function parseCode(text: string): CodeBytes | undefined {
  const tokens = text.trim().split(/\s+/);
  const units: string[] = [];
  let faultIndex = -1;
  for (const token of tokens) {
    const marked = /^[<(]([0-9a-fA-F]+)[>)]$/.exec(token);
    const hex = marked ? (marked[1] as string) : token;
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0 || hex.length > 8) return undefined;
    // one width per line, as the decoder (isa/code-line) requires: bytes or words, not both
    if (units.length > 0 && hex.length !== (units[0] as string).length) return undefined;
    if (marked) {
      if (faultIndex !== -1) return undefined;
      faultIndex = units.length;
    }
    units.push(hex.toLowerCase());
  }
  if (faultIndex === -1 || units.length === 0) return undefined;
  const width = (units[0] as string).length / 2;
  if (width !== 1 && width !== 2 && width !== 4) return undefined;
  return { bytes: units.join(" "), faultIndex, unit: width };
}
