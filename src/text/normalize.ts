/**
 * @module text/normalize
 * Raw lines in, clean kernel lines out. Removes terminal noise (ANSI escapes, NULs, stray
 * carriage returns), peels log prefixes, unwraps journald formats, and drops exact
 * repeats that loggers and copy-paste introduce. Line numbers always refer to the input.
 */

import { JournalExportReader, type JournalMessage, parseJournalJson } from "./journal.js";
import type { KernelLine } from "./kernel-line.js";
import type { RawLine } from "./line-source.js";
import { type PrefixFields, stripPrefixes } from "./prefixes.js";

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
  let cr = out.lastIndexOf("\r");
  // ... but one at the end only ends the line (a journal message from a CRLF console)
  while (cr !== -1 && cr === out.length - 1) {
    out = out.slice(0, cr);
    cr = out.lastIndexOf("\r");
  }
  if (cr !== -1) out = out.slice(cr + 1);
  return out.replace(CONTROL, "");
}

/** The tail of a crash `bt` frame line, which paste accidents duplicate: "#13 [ffff…] f at …" */
const CRASH_FRAME = /^\s*#\d+ \[[0-9a-f]+\] \S+ at [0-9a-f]+/;

/** A stack frame in a kernel trace: "func+0x1a/0x40" */
const TRACE_FRAME = /\+0x[0-9a-f]+\/0x[0-9a-f]+/;

/**
 * HTML entities a web page or a bug tracker's export left in a pasted log ("[&lt;ffffffff…&gt;]",
 * "zio-&gt;io_children"). No kernel message contains one, so they are undone on every line.
 */
const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
  "&apos;": "'",
};
// (none stands for a character of a report header, so the fast scan's literals still match)
const ENTITY = /&(?:lt|gt|amp|quot|#39|apos);/g;

/**
 * Brackets an s390 console's code page (IBM-037 read as Latin-1) turned into "¢" and "!":
 * "¢ 1851.721062!", "¢<000000000029342a>!", "¢#1!". Only those shapes are undone.
 */
const EBCDIC_BRACKETS = /¢(\s*\d+\.\d+|<?[0-9a-f]+>?|#\d+)!/g;

/** Undoes what the way a log travelled did to its characters (HTML entities, code pages). */
export function decodeTransport(text: string): string {
  let out = text.includes("&") ? text.replace(ENTITY, (e) => ENTITIES[e] ?? e) : text;
  if (out.includes("¢")) out = out.replace(EBCDIC_BRACKETS, "[$1]");
  return out;
}

/**
 * Quoted-printable mail bodies (RFC 2045): a line ending in "=" goes on in the next line (a
 * soft break), and "=XX" is a byte. A soft break is taken for one on a line that shows the
 * encoding (an escape) or fills a QP line (up to 76 characters), and on every line ending in
 * "=" once one was seen; escapes are decoded on such lines and on lines with an unmistakable one ("=3D",
 * "=20", an encoded UTF-8 character).
 */
const QP_ESCAPE = /=[0-9A-F]{2}/;
const QP_STRONG = /=(?:3D|20|09|[C-F][0-9A-F]=[89AB][0-9A-F])/;
const QP_BYTES = /(?:=[0-9A-F]{2})+/g;
const QP_LINE_MIN = 60;
const QP_LINE_MAX = 76;

/** A line ending in a quoted-printable soft break, alone or in a QP text (`inRun`). */
export function softBreak(text: string, inRun: boolean): boolean {
  if (!text.endsWith("=")) return false;
  if (inRun) return true;
  return QP_ESCAPE.test(text) || (text.length >= QP_LINE_MIN && text.length <= QP_LINE_MAX);
}

function decodeQp(text: string): string {
  return text.replace(QP_BYTES, (run) =>
    Buffer.from(run.replace(/=/g, ""), "hex").toString("utf8"),
  );
}

/** A line read on its own: its escapes are decoded when one is unmistakable. */
function decodeAlone(text: string): string {
  return text.includes("=") && QP_STRONG.test(text) ? decodeQp(text) : text;
}

/** Characters of a line that are parsed (and kept for evidence); the rest is dropped. */
export const MAX_PARSED_CHARS = 4096;

/**
 * A kernel line from a message: its own printk prefixes, else those of the record that
 * carried it (`outer`: a journal entry). Kernel lines are under 1 kB; a longer one is garbage
 * or binary, and is parsed on its first MAX_PARSED_CHARS (which also bounds regex work).
 */
function kernelLine(no: number, text: string, outer: PrefixFields, cut: boolean): KernelLine {
  const parsed = text.length > MAX_PARSED_CHARS ? text.slice(0, MAX_PARSED_CHARS) : text;
  const inner = stripPrefixes(decodeTransport(parsed));
  const line: KernelLine = {
    no,
    text: inner.text,
    raw: parsed,
    origin: outer.origin ?? inner.origin ?? "plain",
  };
  const time = inner.time ?? outer.time;
  if (time !== undefined) line.time = time;
  const level = inner.level ?? outer.level;
  if (level !== undefined) line.level = level;
  if (inner.caller !== undefined) line.caller = inner.caller;
  const host = outer.host ?? inner.host;
  if (host !== undefined) line.host = host;
  if (cut || parsed !== text) line.cut = true;
  return line;
}

/**
 * A line with no journal shape as the normaliser sees it on its own, or undefined when it
 * carries nothing (blank, a syslog repeat notice). Whether it is then dropped as a repeat
 * depends on the lines before it (see LineNormalizer.isRepeat).
 */
export function lineAlone(raw: RawLine): KernelLine | undefined {
  const line = kernelLine(raw.no, decodeAlone(cleanControl(raw.text)), {}, raw.cut === true);
  return carriesText(line) ? line : undefined;
}

/** syslogd's wall message heading; the kernel line follows it (" kernel:Oops: …") */
const WALL_HEADING = /^Message from syslogd@\S+ at .*\.\.\.\s*$/;

function carriesText(line: KernelLine): boolean {
  // blank lines carry nothing; copies that interleave them must read like the original
  if (line.text.trim() === "") return false;
  if (line.text.startsWith("Message from syslogd@") && WALL_HEADING.test(line.text)) return false;
  return !(line.text.includes("repeated") && SYSLOG_REPEAT.test(line.text));
}

export class LineNormalizer {
  private readonly exportReader = new JournalExportReader();
  /** a quoted-printable line cut by a soft break, waiting for the rest */
  private softBroken: { no: number; text: string; cut: boolean } | undefined;
  /**
   * a soft break was seen: the input is a quoted-printable mail, whose short lines (a client
   * wrapped them at a word) end in "=" too. Only lines ending in "=" read it, and those are
   * all loud (oops/loud-lines.ts), so the fast scan keeps it exact.
   */
  private quotedPrintable = false;
  private previous: KernelLine | undefined;
  /** the previous line had the same printk timestamp as the line before it */
  private previousSameTime = false;
  /** the previous line was followed by an exact copy */
  private previousDoubled = false;
  /** the lines just before came in pairs: the log was read twice over */
  private doubling = false;

  /** Normalises one raw line; calls `emit` zero or more times (journal export may delay). */
  push(raw: RawLine, emit: (line: KernelLine) => void): void {
    const text = cleanControl(raw.text);
    const pending = this.softBroken;
    if (!pending) {
      // journal formats are whole records: read before any cut
      if (this.exportReader.push(raw.no, text, (no, msg) => this.emitMessage(no, msg, emit)))
        return;
      const json = parseJournalJson(text);
      if (json) {
        this.emitMessage(raw.no, json, emit);
        return;
      }
    }
    // a quoted-printable line goes on in the next one; the whole keeps its first line's number
    const joined = pending ? pending.text + text : text;
    const no = pending?.no ?? raw.no;
    const cut = raw.cut === true || pending?.cut === true;
    const inRun = pending !== undefined || this.quotedPrintable;
    if (softBreak(text, inRun) && joined.length < MAX_PARSED_CHARS) {
      this.softBroken = { no, text: joined.slice(0, -1), cut };
      this.quotedPrintable = true;
      return;
    }
    this.softBroken = undefined;
    const decoded = pending ? decodeQp(joined) : decodeAlone(joined);
    this.deliver(kernelLine(no, decoded, {}, cut), emit);
  }

  /** No journal export entry is half read and no soft-broken line waits for its rest. */
  get atRest(): boolean {
    return this.exportReader.idle && this.softBroken === undefined;
  }

  finish(emit: (line: KernelLine) => void): void {
    const pending = this.softBroken;
    this.softBroken = undefined;
    if (pending)
      this.deliver(kernelLine(pending.no, decodeQp(pending.text), {}, pending.cut), emit);
    this.exportReader.flush((no, msg) => this.emitMessage(no, msg, emit));
  }

  private emitMessage(no: number, msg: JournalMessage, emit: (line: KernelLine) => void): void {
    // a journal message is itself a kernel line and may still carry printk prefixes
    const outer = { ...msg, origin: msg.origin ?? "kernel" };
    this.deliver(kernelLine(no, cleanControl(msg.text), outer, false), emit);
  }

  private deliver(line: KernelLine, emit: (line: KernelLine) => void): void {
    if (!carriesText(line)) return;
    if (this.isRepeat(line)) return;
    this.previousSameTime = line.time !== undefined && line.time === this.previous?.time;
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
    // a console that prints each message raw ("<1>text") and then through the log
    // ("[ 3125.17] text") repeats it with a timestamp on one copy only
    if ((line.time === undefined) !== (prev.time === undefined)) return true;
    if (line.time !== undefined) {
      if (prev.time !== line.time) return false;
      // when the lines before already shared this timestamp (a kernel that stamped a whole
      // oops at once), it does not tell a copy from a frame the stack holds twice
      return this.doubling || !this.previousSameTime || !TRACE_FRAME.test(line.text);
    }
    if (CRASH_FRAME.test(line.text)) return true;
    if (prev.time !== undefined) return false;
    // Without timestamps, a log read twice over (console and syslog both copied) doubles
    // every line. Trace frames can repeat legitimately (recursion), so they are treated as
    // copies only once the doubling is established; any other line never repeats in a
    // real report.
    return this.doubling || !TRACE_FRAME.test(line.text);
  }
}
