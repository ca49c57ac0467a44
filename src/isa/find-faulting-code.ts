/**
 * @module isa/find-faulting-code
 * Picks the Code: line of a report worth showing, the way syzkaller does: the first kernel
 * Code: line that decodes and whose faulting instruction is not a BUG/WARN trap.
 */

import { parseCodeLine, shouldDecode } from "./code-line.js";
import { decodeCode } from "./decode-code.js";
import type { CodeDecoding, IsaArch } from "./types.js";

export interface FaultingCode {
  /** index into the given lines of the Code: line decoded */
  lineIndex: number;
  decoding: CodeDecoding;
}

/**
 * The first Code: line in `lines` that is kernel code (see `shouldDecode`), decodes onto its
 * fault marker, and does not fault on a deliberate trap. Undefined when there is none: then the
 * report is a BUG/WARN (trap) or only shows user-space code, and a listing would add nothing.
 * Hang and stall reports (RCU stall, soft lockup, hung task) should not call this at all:
 * their Code: line shows where a CPU happened to be, not a faulting instruction.
 */
export async function findFaultingCode(
  arch: IsaArch,
  lines: readonly string[],
): Promise<FaultingCode | undefined> {
  for (const [lineIndex, line] of lines.entries()) {
    if (!line.includes("Code: ") || !shouldDecode(lineIndex, lines)) continue;
    const code = parseCodeLine(line);
    if (code === undefined) continue;
    const decoding = await decodeCode(arch, code);
    if (decoding === undefined || decoding.trapOnly) continue;
    return { lineIndex, decoding };
  }
  return undefined;
}
