/**
 * @module oops/segment
 * Cuts a stream of kernel lines into report segments: a segment opens at a header line and
 * collects the lines after it until the next header of the same printk context, a size cap,
 * or the end of input. Only the segments and a few lines of look-behind are held in memory.
 */
import type { KernelLine } from "../text/kernel-line.js";
import type { OopsGroup } from "./formats/types.js";
import { BODY_LINE, findHeader } from "./headers.js";

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
      const host = header.continuation ? this.continuationHost(line, context) : undefined;
      if (host) {
        this.append(host, line);
        return;
      }
      this.closeContext(context);
      const lines = [...this.behind, line];
      this.open.push({
        group: header.group,
        headerIndex: this.behind.length,
        headerPos: header.index,
        context,
        lines,
        inProse: header.inProse,
        bodyLines: 0,
        capped: false,
      });
      this.behind.length = 0;
      return;
    }
    for (const segment of [...this.open]) this.append(segment, line);
    this.behind.push(line);
    if (this.behind.length > LOOK_BEHIND) this.behind.shift();
  }

  finish(): void {
    for (const segment of this.open.splice(0)) this.close(segment);
  }

  private append(segment: Segment, line: KernelLine): void {
    segment.lines.push(line);
    if (segment.fieldEnd === undefined && BODY_LINE.test(line.text)) segment.bodyLines++;
    const tailFull =
      segment.fieldEnd !== undefined && segment.lines.length - segment.fieldEnd >= TITLE_TAIL_LINES;
    if (segment.lines.length >= MAX_SEGMENT_LINES || tailFull) {
      if (!tailFull) segment.capped = true;
      this.open.splice(this.open.indexOf(segment), 1);
      this.close(segment);
    }
  }

  /** The open report a continuation header (a panic, an opcode trap) belongs to. */
  private continuationHost(line: KernelLine, context: string): Segment | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const segment = this.open[i] as Segment;
      if (segment.fieldEnd !== undefined) continue;
      if (isCallerContext(context) && segment.context !== context) continue;
      const last = segment.lines[segment.lines.length - 1] as KernelLine;
      if (line.time !== undefined && last.time !== undefined) {
        if (line.time - last.time <= CONTINUATION_SECONDS) return segment;
      } else if (line.no - last.no <= CONTINUATION_LINES) {
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
    if (segment.inProse && segment.bodyLines === 0) return;
    this.emit(segment);
  }
}
