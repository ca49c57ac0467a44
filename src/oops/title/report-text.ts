/**
 * @module oops/title/report-text
 * The text a title is computed from, selected the way syzkaller selects it so titles match
 * syzbot's: lines of the header's printk context only, unreliable ("?") frames dropped from
 * timestamped logs, and a panic that follows a long enough report left out. Without printk
 * caller ids the title text ends where a second report (or an informational stack dump)
 * begins; the corruption check still reads on. A paste indented as a whole (a tab in a mail
 * body) has that indentation removed, so lines read as the kernel printed them.
 */
import type { KernelLine } from "../../text/kernel-line.js";
import { infoMessagesWithStack } from "../formats/index.js";
import { contextOf, type Segment } from "../segment.js";

const QUESTIONABLE = /(\[<[0-9a-f]+>\])? \? /;
/** decode_stacktrace.sh's " (fs/kernfs/mount.c:286)" after a function: not part of a title */
const DECODED_SOURCE = / \([\w./-]+\.[chS]:\d+(?::\d+)?(?: \(discriminator \d+\))?\)(?=\s|$)/g;
const CPU_CONTEXT = /^C[0-9]+$/;
/** blanks that start a line */
const INDENT = /^[ \t]+/;

/**
 * The indentation of the header's line, which the whole paste shares: kernel messages that
 * open a report start at the margin. syzkaller's frame patterns allow spaces only before a
 * frame ("^ *"), so a tab left there hides every frame.
 */
function pasteIndent(segment: Segment): string {
  const header = segment.lines[segment.headerIndex] as KernelLine;
  return INDENT.exec(header.text)?.[0] ?? "";
}

/** The line's text without the paste's indentation, when it carries it. */
function unindented(text: string, indent: string): string {
  return indent !== "" && text.startsWith(indent) ? text.slice(indent.length) : text;
}

/** KMSAN reports have no "Call Trace:" heading, so fewer lines make a complete report. */
function minLinesBeforePanic(header: string): number {
  return header.includes("BUG: KMSAN:") ? 16 : 22;
}

function isQuestionable(line: KernelLine, text: string): boolean {
  if (line.time === undefined || text.includes("<EOI>")) return false;
  return QUESTIONABLE.test(text) || text.endsWith(" (unreliable)");
}

export interface ReportText {
  /** what the title is read from */
  title: string;
  /** what the corruption check reads: the same selection, not cut at a second report */
  full: string;
}

/** The selected lines of a segment, from the header on, each ending in "\n". */
export function reportText(segment: Segment): ReportText {
  const header = segment.lines[segment.headerIndex] as KernelLine;
  const minLines = minLinesBeforePanic(header.text);
  const callerIds = segment.context !== "" && segment.context !== "console";
  const indent = pasteIndent(segment);
  let full = "";
  let titleEnd = -1;
  let textLines = 0;
  let skipRest = false;
  let cpuTraceback = false;
  for (let i = segment.headerIndex; i < segment.lines.length; i++) {
    const line = segment.lines[i] as KernelLine;
    const text = unindented(line.text, indent);
    const isHeader = i === segment.headerIndex;
    if (!isHeader) {
      const secondReport =
        i === segment.fieldEnd || infoMessagesWithStack.some((m) => text.includes(m));
      if (!callerIds && secondReport && titleEnd === -1) titleEnd = full.length;
      const context = contextOf(line);
      const sameContext =
        context === segment.context || (cpuTraceback && CPU_CONTEXT.test(context));
      if (isQuestionable(line, text) || !sameContext) continue;
    }
    textLines++;
    let skip = skipRest;
    if (text.includes("Disabling lock debugging due to kernel taint")) skip = true;
    else if (text.includes("Sending NMI from CPU")) cpuTraceback = true;
    else if (
      (text.includes("Kernel panic - not syncing") ||
        text.includes("WARNING: possible circular locking dependency detected")) &&
      textLines > minLines
    ) {
      // the panic (e.g. panic_on_warn) repeats the stack already in the report
      skipRest = true;
      skip = true;
    }
    if (!isHeader && skip) continue;
    full += `${text.replace(DECODED_SOURCE, "")}\n`;
  }
  return { title: titleEnd === -1 ? full : full.slice(0, titleEnd), full };
}
