/**
 * @module diagnose/culprit/sample
 * Whether a soft-lockup sample shows a loop: the watchdog prints one RIP after the CPU has
 * not scheduled for tens of seconds, and that RIP names the looping code only when the code
 * there jumps back (a branch at or just after the RIP whose target is at or before it), or
 * when other samples of the same input land in the same function.
 */
import { decodeCode } from "../../isa/index.js";
import { baseSymbol } from "../../oops/fields/location.js";
import type { Report } from "../../oops/report.js";
import { hexBytes } from "../instruction.js";
import { isaOf } from "../util/registers.js";

/** Branches, by mnemonic: x86 jumps and loops, arm/arm64 branches and compare-and-branch. */
const BRANCH = /^(?:j\w+|loop\w*|b|b\.\w+|b(?:eq|ne|cs|cc|mi|pl|hi|ls|ge|lt|gt|le)|cbn?z|tbn?z)$/;
const ENDS = /^(?:call\w*|ret\w*|bl|blr|br|iret\w*|sysret\w*|eret)$/;
/** How many instructions from the RIP on are read for a backward branch or a way out. */
const LOOK_AHEAD = 8;

/** true: the code at the RIP loops; false: it does not; undefined: no code to tell. */
export async function codeLoops(report: Report): Promise<boolean | undefined> {
  const code = report.code;
  const arch = isaOf(report);
  if (!code || !arch) return undefined;
  const faultOffset = code.faultIndex * code.unit;
  // any base works: only the order of the RIP and the branch target matters
  const rip = 0x100000n;
  const decoded = await decodeCode(
    arch,
    { bytes: hexBytes(code.bytes, code.unit), faultOffset, unit: code.unit },
    rip,
  );
  if (!decoded) return undefined;
  const after = decoded.instructions.slice(decoded.faultIndex, decoded.faultIndex + LOOK_AHEAD);
  for (const ins of after) {
    // the Code: line ends (or breaks) before the straight line is seen to end: no telling
    if (ins.isBad) return undefined;
    if (ENDS.test(ins.mnemonic)) return false;
    if (!BRANCH.test(ins.mnemonic)) continue;
    const target = /(?:0x|#0x)?([0-9a-f]{5,})\s*$/.exec(ins.text)?.[1];
    if (target !== undefined && BigInt(`0x${target}`) <= rip) return true;
    // an unconditional forward jump leaves the straight line: stop reading
    if (/^(?:jmp|b)$/.test(ins.mnemonic)) return false;
  }
  // straight code as far as the bytes go, but no call, return or jump out of it is shown: a
  // loop's back edge may lie just past what the kernel printed
  return undefined;
}

/** Other lockup samples of the same input in the same function. */
export function sampledAgain(report: Report, reports: readonly Report[] | undefined): boolean {
  const name = baseSymbol(report.ip?.symbol ?? "");
  if (!name) return false;
  return (reports ?? []).some(
    (r) =>
      r !== report &&
      (r.kind === "soft-lockup" || r.kind === "hard-lockup") &&
      baseSymbol(r.ip?.symbol ?? "") === name,
  );
}
