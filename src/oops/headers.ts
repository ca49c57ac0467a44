/**
 * @module oops/headers
 * Recognises the line that opens a crash report, and tells a real header from a mention of
 * one in prose (a ticket quoting "BUG: unable to handle …" in a sentence, an issue title, a
 * template with placeholders).
 */
import type { KernelLine } from "../text/kernel-line.js";
import { type Continuation, continuationHeaders, oopsGroups } from "./formats/index.js";
import type { OopsGroup } from "./formats/types.js";

export interface HeaderMatch {
  group: OopsGroup;
  /** where the header text starts in the line */
  index: number;
  /** the header continues a report already open (a panic after an oops) */
  continuation?: Continuation;
  /** the header may be a mention (prose, a title); it opens a report only if report lines follow */
  inProse: boolean;
}

/**
 * Placeholders of a template or a how-to ("task <comm>:<pid> blocked for more than <N>
 * seconds"): a word in angle brackets, not a hex number. The kernel prints none in a header
 * line (its `<IRQ>` markers and `[<address>]` frames are lines of their own).
 */
const PLACEHOLDER = /<(?=[^>]*[g-zG-Z_ ])[A-Za-z][A-Za-z _]*>/;

/** The header the line holds, if any. Lines from other programs never open reports. */
export function findHeader(line: KernelLine): HeaderMatch | undefined {
  if (line.origin === "foreign") return undefined;
  const text = line.text;
  for (const group of oopsGroups) {
    const index = text.indexOf(group.header);
    if (index === -1) continue;
    if (group.suppress?.some((s) => s.test(text))) continue;
    if (PLACEHOLDER.test(text)) return undefined;
    const before = text.slice(0, index);
    const match: HeaderMatch = { group, index, inProse: needsBody(line, group, before) };
    const continuation = continuationHeaders.find((c) => c.test.test(text));
    if (continuation) match.continuation = continuation;
    return match;
  }
  return undefined;
}

/**
 * A header on a line that no log prefix vouches for may be an issue title, a subject line or
 * a sentence quoting a headline: it is a report only if report lines follow. Kept without a
 * body: a line that is nothing but the header, and headers whose reports have no body lines
 * (syzkaller's "Booting the kernel.", SYZFAIL).
 */
function needsBody(line: KernelLine, group: OopsGroup, before: string): boolean {
  if (line.origin !== "plain") return false;
  if (line.text.trim() === group.header.trim()) return false;
  if (SENTENCE.test(before)) return true;
  return !group.formats.every((f) => f.noStackTrace || f.corrupted);
}

/**
 * Text before a header that makes it a sentence or a list item, not a transport prefix: a
 * word, a markdown bullet, heading or numbering.
 */
export const SENTENCE = /[A-Za-z]{2,}|^\s*(?:[-*+#]+|\d+[.)])\s*$/;

/** Lines that belong to the body of a report; a prose mention is followed by none. */
export const BODY_LINE =
  /^\s*(?:R?IP:|EIP:|NIP|pc ?:|lr ?:|PC is at|LR is at|Call [Tt]race|Code:|Modules linked in|CPU: \d|Pid: \d|Hardware name|Stack:|RSP:|RAX:|EAX:|R\d\d:|x\d+\s*:|GPR\d\d:|Krnl |\[<?[0-9a-f]{8,}>?\]|<(?:IRQ|TASK|NMI|EOI|SOFTIRQ)>|---\[ end|Oops|#PF:|PGD |Workqueue:|Kernel Offset|task: |Process |unreferenced object 0x|backtrace(?: \(crc [0-9a-f]+\))?:|\S+ is trying to acquire lock|but task is already holding lock|"echo 0 > \/proc\/sys\/kernel\/hung_task_timeout_secs"|task:\S+\s+state:|\? [\w.]+\+0x|[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+)/;
