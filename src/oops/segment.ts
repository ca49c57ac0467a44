/**
 * @module oops/segment
 * Cuts a stream of kernel lines into report segments: a segment opens at a header line and
 * collects the lines after it until the next header of the same printk context, a size cap,
 * or the end of input. Only the segments and a few lines of look-behind are held in memory.
 */
import type { KernelLine } from "../text/kernel-line.js";
import { type Continuation, warnMessages } from "./formats/index.js";
import type { OopsGroup } from "./formats/types.js";
import { BODY_LINE, findHeader, SENTENCE } from "./headers.js";

/** Lines kept per segment; a report is rarely over 300 lines, a lockdep splat under 1000. */
export const MAX_SEGMENT_LINES = 2500;
/** Lines before a header kept for context ("cut here", "list_del corruption, …"). */
export const LOOK_BEHIND = 8;
/**
 * A report ends where the next one of its context begins, but its title may read on (with
 * printk caller ids syzkaller does) and its corruption check does: a segment so ended keeps
 * collecting this many lines for those.
 */
const TITLE_TAIL_LINES = 300;
/** A panic this soon after a report's last line is that report's ending (seconds). */
const CONTINUATION_SECONDS = 30;
/** …or, without timestamps, this many lines. */
const CONTINUATION_LINES = 400;
/**
 * Body lines a header that may be a mention (inProse) needs to be a report: a template's or
 * a how-to's lone "Call Trace:" under a headline is not a report body.
 */
const MIN_BODY_LINES = 2;
/** A code address or a frame anywhere in a line ("… at (416209): [<ffffffff8188cdac>] f+0x0/0x30"). */
const BODY_ANYWHERE = /\[<[0-9a-f]{8,}>\]|[\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+/;
/** Marks of a report body that a flattened paste leaves on the header's line. */
const BODY_INLINE = / Oops: [0-9a-f]{4} \[#\d+\]| Modules linked in: | Call Trace: /;
/** A subsystem's prefix of a kernel message: a few words and a colon. */
const LOG_PREFIX = /^[\w./-]+(?: [\w./-]+)?:$/;
/** Input lines after a headline in which its body must begin ("report body around it"). */
const BODY_WINDOW = 6;
/** Marks of a log right above a headline: its report's lead-in or the end of the one before. */
const LOG_ABOVE = /\[ cut here \]|---\[ end |^={20,}$/;
/** How far back a continuation looks for the open report's last timestamped line. */
const TIMED_LOOK_BACK = 64;

export interface Segment {
  group: OopsGroup;
  /** index of the header within `lines` */
  headerIndex: number;
  /** where the header starts within its line's text */
  headerPos: number;
  /** the printk context of the header: "T123"/"C1", "console" (timestamp only) or "" */
  context: string;
  /** look-behind lines, then the header, then what followed */
  lines: KernelLine[];
  /** the header sits in prose and is only a report if report lines follow it */
  inProse: boolean;
  /** lines that look like part of a report body */
  bodyLines: number;
  /** what stands before a header that may be a mention, on its line (a sentence, a bullet) */
  prefix?: string;
  /**
   * what stands before the header when it is shaped like a kernel message's own prefix
   * ("rcu:", "NMI watchdog:"): a neighbour line with the same start shows a line of a log
   */
  logPrefix?: string;
  /** the segment was closed by the size cap */
  capped: boolean;
  /**
   * where the report's own lines end when a later report of the same task began; lines
   * after it are kept only for the title (see TITLE_TAIL_LINES)
   */
  fieldEnd?: number;
}

/** The printk context of a line, as syzkaller defines it. */
export function contextOf(line: KernelLine): string {
  return line.caller ?? (line.time !== undefined ? "console" : "");
}

function isCallerContext(context: string): boolean {
  return context !== "" && context !== "console";
}

export class Segmenter {
  private readonly open: Segment[] = [];
  private readonly behind: KernelLine[] = [];

  constructor(private readonly emit: (segment: Segment) => void) {}

  /** No report is open: a line without a header only moves the look-behind. */
  get atRest(): boolean {
    return this.open.length === 0;
  }

  push(line: KernelLine): void {
    const header = findHeader(line);
    if (header) {
      const context = contextOf(line);
      const before = line.text.slice(0, header.index);
      const host = header.continuation
        ? this.continuationHost(line, context, header.continuation, !SENTENCE.test(before))
        : undefined;
      if (host) {
        // a headline followed by its report's next header ("Internal error: Oops") is a report
        if (host.inProse) host.bodyLines = Math.max(host.bodyLines, MIN_BODY_LINES);
        this.append(host, line);
        return;
      }
      const warn = this.takeWarn(line);
      this.closeContext(context);
      const lines = [...(warn?.lines ?? this.behind), line];
      const prefix = before.trim();
      const segment: Segment = {
        group: header.group,
        headerIndex: lines.length - 1,
        headerPos: header.index,
        context,
        lines,
        inProse: header.inProse && !this.logAbove(line, prefix),
        bodyLines: 0,
        capped: false,
      };
      if (segment.inProse && prefix !== "") segment.prefix = prefix;
      // a paste flattened into one line carries its body on the header's line
      if (segment.inProse && BODY_INLINE.test(line.text.slice(header.index)))
        segment.bodyLines = MIN_BODY_LINES;
      if (LOG_PREFIX.test(prefix)) segment.logPrefix = prefix;
      this.open.push(segment);
      this.behind.length = 0;
      return;
    }
    for (const segment of [...this.open]) this.append(segment, line);
    this.behind.push(line);
    if (this.behind.length > LOOK_BEHIND) this.behind.shift();
  }

  /** The line right above a headline (blank lines aside) is a line of a log. */
  private logAbove(line: KernelLine, prefix: string): boolean {
    const above = this.behind[this.behind.length - 1];
    if (!above || line.no - above.no > 2) return false;
    if (BODY_LINE.test(above.text) || LOG_ABOVE.test(above.text)) return true;
    return LOG_PREFIX.test(prefix) && above.text.startsWith(prefix);
  }

  /**
   * The WARN() report just opened whose message this header is (formats' warnMessages): it
   * is taken out of the open reports, and its lines lead in to the header's report.
   */
  private takeWarn(line: KernelLine): Segment | undefined {
    const row = warnMessages.find((m) => m.test.test(line.text));
    if (!row) return undefined;
    const index = this.open.findIndex((segment) => {
      const header = segment.lines[segment.headerIndex] as KernelLine;
      return (
        segment.fieldEnd === undefined &&
        line.no - header.no <= row.within &&
        row.warn.test(header.text)
      );
    });
    if (index === -1) return undefined;
    return this.open.splice(index, 1)[0];
  }

  finish(): void {
    for (const segment of this.open.splice(0)) this.close(segment);
  }

  private append(segment: Segment, line: KernelLine): void {
    segment.lines.push(line);
    if (segment.fieldEnd === undefined && this.isBody(segment, line)) segment.bodyLines++;
    const tailFull =
      segment.fieldEnd !== undefined && segment.lines.length - segment.fieldEnd >= TITLE_TAIL_LINES;
    if (segment.lines.length >= MAX_SEGMENT_LINES || tailFull) {
      if (!tailFull) segment.capped = true;
      this.open.splice(this.open.indexOf(segment), 1);
      this.close(segment);
    }
  }

  /**
   * The line is part of the report's body. For a headline that may be a mention, only lines
   * right after it count, and one that shares its prefix counts as a whole body.
   */
  private isBody(segment: Segment, line: KernelLine): boolean {
    if (!segment.inProse) return BODY_LINE.test(line.text);
    const header = segment.lines[segment.headerIndex] as KernelLine;
    if (line.no - header.no > BODY_WINDOW) return false;
    if (segment.logPrefix !== undefined && line.text.startsWith(segment.logPrefix)) {
      segment.bodyLines = MIN_BODY_LINES - 1;
      return true;
    }
    return BODY_LINE.test(line.text) || BODY_ANYWHERE.test(line.text);
  }

  /** The open report a continuation header (a panic, an opcode trap) belongs to. */
  private continuationHost(
    line: KernelLine,
    context: string,
    row: Continuation,
    startsLine: boolean,
  ): Segment | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const segment = this.open[i] as Segment;
      if (segment.fieldEnd !== undefined) continue;
      if (isCallerContext(context) && segment.context !== context) continue;
      // A bare headline still waiting for its body may be an issue title above the log or a
      // sentence: it is continued only by a header that starts its line as it does (words
      // before either are a sentence's), and not by a timestamped one (the log's own report).
      const waiting = segment.inProse && segment.bodyLines < MIN_BODY_LINES;
      if (waiting) {
        const untimed = segment.lines[segment.headerIndex]?.time === undefined;
        if (!startsLine || SENTENCE.test(segment.prefix ?? "")) continue;
        if (line.time !== undefined && untimed) continue;
      }
      const hostHeader = (segment.lines[segment.headerIndex] as KernelLine).text;
      if (row.notInto?.test(hostHeader)) continue;
      if (row.onlyInto && !row.onlyInto.test(hostHeader)) continue;
      const last = lastTimed(segment, line.time !== undefined);
      if (line.time !== undefined && last.time !== undefined) {
        if (line.time - last.time <= (row.seconds ?? CONTINUATION_SECONDS)) return segment;
      } else if (line.no - last.no <= (row.lines ?? CONTINUATION_LINES)) {
        return segment;
      }
    }
    return undefined;
  }

  /**
   * A new header ends the reports open before it: their own lines end here, though they
   * keep collecting a tail for their title and corruption check. A report with a printk
   * caller id is not ended by another task's report.
   */
  private closeContext(context: string): void {
    for (const segment of this.open) {
      if (isCallerContext(segment.context) && segment.context !== context) continue;
      segment.fieldEnd ??= segment.lines.length;
    }
  }

  private close(segment: Segment): void {
    if (segment.inProse && segment.bodyLines < MIN_BODY_LINES) return;
    this.emit(segment);
  }
}

/**
 * The segment's last line, or when `timed` its last line with a timestamp among the last
 * few (untimestamped lines such as a paste's "..." say nothing of when the report ended).
 */
function lastTimed(segment: Segment, timed: boolean): KernelLine {
  const lines = segment.lines;
  const last = lines[lines.length - 1] as KernelLine;
  if (!timed) return last;
  const stop = Math.max(segment.headerIndex, lines.length - TIMED_LOOK_BACK);
  for (let i = lines.length - 1; i >= stop; i--) {
    const line = lines[i] as KernelLine;
    if (line.time !== undefined) return line;
  }
  return last;
}
