/**
 * @module oops/headers
 * Recognises the line that opens a crash report, and tells a real header from a mention of
 * one in prose (a ticket quoting "BUG: unable to handle …" in a sentence).
 */
import type { KernelLine } from "../text/kernel-line.js";
import { continuationHeaders, oopsGroups } from "./formats/index.js";
import type { OopsGroup } from "./formats/types.js";

export interface HeaderMatch {
  group: OopsGroup;
  /** where the header text starts in the line */
  index: number;
  /** the header continues a report already open (a panic after an oops) */
  continuation: boolean;
  /** the header sits inside prose; it opens a report only if report lines follow */
  inProse: boolean;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** The header the line holds, if any. Lines from other programs never open reports. */
export function findHeader(line: KernelLine): HeaderMatch | undefined {
  if (line.origin === "foreign") return undefined;
  const text = line.text;
  for (const group of oopsGroups) {
    const index = text.indexOf(group.header);
    if (index === -1) continue;
    if (group.suppress?.some((s) => s.test(text))) continue;
    const before = text.slice(0, index);
    return {
      group,
      index,
      continuation: continuationHeaders.some((c) => c.test(text)),
      inProse: line.origin !== "kernel" && before.trim() !== "" && isProse(before, line.origin),
    };
  }
  return undefined;
}

/**
 * Text before a header that may be a sentence rather than a kernel prefix such as
 * "NMI watchdog: " or "Oops: ": any text on a bare line, else non-ASCII writing, quotes, or
 * several words.
 */
function isProse(before: string, origin: KernelLine["origin"]): boolean {
  // a bare line (no log prefix) with a label before the header ("Summary: BUG: …") is a
  // ticket or mail as often as a kernel line; the report lines that follow decide
  if (origin === "plain") return true;
  if (NON_ASCII.test(before)) return true;
  if (/["'`“”]/.test(before)) return true;
  const words = before.trim().split(/\s+/);
  return words.length >= 3;
}

/** Lines that belong to the body of a report; a prose mention is followed by none. */
export const BODY_LINE =
  /^\s*(?:R?IP:|EIP:|NIP|pc ?:|lr ?:|PC is at|LR is at|Call [Tt]race|Code:|Modules linked in|CPU: \d|Pid: \d|Hardware name|Stack:|RSP:|RAX:|EAX:|R\d\d:|x\d+\s*:|GPR\d\d:|Krnl |\[<?[0-9a-f]{8,}>?\]|<(?:IRQ|TASK|NMI|EOI|SOFTIRQ)>|---\[ end|Oops|#PF:|PGD |Workqueue:|Kernel Offset|task: |Process |\? [\w.]+\+0x|[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+)/;
