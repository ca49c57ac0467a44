/**
 * @module text/normalize
 * Raw lines in, clean kernel lines out. Removes terminal noise (ANSI escapes, NULs, stray
 * carriage returns), peels log prefixes, unwraps journald formats, and drops exact
 * repeats that loggers and copy-paste introduce. Line numbers always refer to the input.
 */

import { JournalExportReader, type JournalMessage, parseJournalJson } from "./journal.js";
import type { KernelLine } from "./kernel-line.js";
import type { RawLine } from "./line-source.js";
import { stripPrefixes } from "./prefixes.js";

// CSI and OSC escape sequences, then any other C0 control byte except tab.
const ANSI = /\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
// syslog's own duplicate suppression notice
const SYSLOG_REPEAT =
  /^(?:.*: )?(?:last message repeated \d+ times?|message repeated \d+ times: \[.*\])$/;

/** Cleans terminal noise from a line; keeps tabs. */
export function cleanControl(text: string): string {
  let out = text;
  if (out.includes("\x1b")) out = out.replace(ANSI, "");
  // a carriage return inside a line overwrites what came before it on a terminal
  const cr = out.lastIndexOf("\r");
  if (cr !== -1) out = out.slice(cr + 1);
  return out.replace(CONTROL, "");
}

/** The tail of a crash `bt` frame line, which paste accidents duplicate: "#13 [ffff…] f at …" */
const CRASH_FRAME = /^\s*#\d+ \[[0-9a-f]+\] \S+ at [0-9a-f]+/;

/** A stack frame in a kernel trace: "func+0x1a/0x40" */
const TRACE_FRAME = /\+0x[0-9a-f]+\/0x[0-9a-f]+/;

/** Characters of a line that are parsed (and kept for evidence); the rest is dropped. */
export const MAX_PARSED_CHARS = 4096;

export class LineNormalizer {
  private readonly exportReader = new JournalExportReader();
  private previous: KernelLine | undefined;
  /** the previous line was followed by an exact copy */
  private previousDoubled = false;
  /** the lines just before came in pairs: the log was read twice over */
  private doubling = false;

  /** Normalises one raw line; calls `emit` zero or more times (journal export may delay). */
  push(raw: RawLine, emit: (line: KernelLine) => void): void {
    // kernel lines are under 1 kB; longer ones are garbage or binary, and no parser needs more
    const long = raw.text.length > MAX_PARSED_CHARS;
    const text = cleanControl(long ? raw.text.slice(0, MAX_PARSED_CHARS) : raw.text);
    if (this.exportReader.push(raw.no, text, (no, msg) => this.emitMessage(no, msg, emit))) return;
    const json = parseJournalJson(text);
    if (json) {
      this.emitMessage(raw.no, json, emit);
      return;
    }
    const stripped = stripPrefixes(text);
    const line: KernelLine = {
      no: raw.no,
      text: stripped.text,
      raw: text,
      origin: stripped.origin ?? "plain",
    };
    if (stripped.time !== undefined) line.time = stripped.time;
    if (stripped.level !== undefined) line.level = stripped.level;
    if (stripped.caller !== undefined) line.caller = stripped.caller;
    if (stripped.host !== undefined) line.host = stripped.host;
    if (raw.cut || long) line.cut = true;
    this.deliver(line, emit);
  }

  finish(emit: (line: KernelLine) => void): void {
    this.exportReader.flush((no, msg) => this.emitMessage(no, msg, emit));
  }

  private emitMessage(no: number, msg: JournalMessage, emit: (line: KernelLine) => void): void {
    // a journal message is itself a kernel line and may still carry printk prefixes
    const inner = stripPrefixes(cleanControl(msg.text));
    const line: KernelLine = {
      no,
      text: inner.text,
      raw: msg.text,
      origin: msg.origin ?? "kernel",
    };
    const time = inner.time ?? msg.time;
    if (time !== undefined) line.time = time;
    const level = inner.level ?? msg.level;
    if (level !== undefined) line.level = level;
    if (inner.caller !== undefined) line.caller = inner.caller;
    if (msg.host !== undefined) line.host = msg.host;
    this.deliver(line, emit);
  }

  private deliver(line: KernelLine, emit: (line: KernelLine) => void): void {
    if (line.text.trim() === "") {
      // blank lines carry nothing; copies that interleave them must read like the original
      return;
    }
    if (line.text.includes("repeated") && SYSLOG_REPEAT.test(line.text)) return;
    if (this.isRepeat(line)) return;
    this.previous = line;
    emit(line);
  }

  /**
   * An exact repeat of the previous line is dropped when it cannot be a legitimate second
   * line: it has the same printk timestamp (two loggers, or a paste done twice), it is a
   * crash `bt` frame line (frame numbers are unique), or it is untimestamped (see below).
   */
  private isRepeat(line: KernelLine): boolean {
    const prev = this.previous;
    // in a doubled log, a line whose copy was already dropped may legitimately come again
    const copied = this.previousDoubled && line.time === undefined;
    if (!prev || prev.text !== line.text || copied) {
      // a line that was not doubled ends a run of doubled lines
      if (!this.previousDoubled) this.doubling = false;
      this.previousDoubled = false;
      return false;
    }
    const repeat = this.isDuplicate(line, prev);
    if (repeat) {
      this.previousDoubled = true;
      this.doubling = true;
    }
    return repeat;
  }

  private isDuplicate(line: KernelLine, prev: KernelLine): boolean {
    if (line.time !== undefined) return prev.time === line.time;
    if (CRASH_FRAME.test(line.text)) return true;
    if (prev.time !== undefined) return false;
    // Without timestamps, a log read twice over (console and syslog both copied) doubles
    // every line. Trace frames can repeat legitimately (recursion), so they are treated as
    // copies only once the doubling is established; any other line never repeats in a
    // real report.
    return this.doubling || !TRACE_FRAME.test(line.text);
  }
}
