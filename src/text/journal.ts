/**
 * @module text/journal
 * journald's machine formats: `journalctl -o json` (one JSON object per line) and
 * `journalctl -o export` (KEY=value lines, entries separated by blank lines). Both carry
 * the message and its origin as fields rather than as a text prefix.
 */
import type { PrefixFields } from "./prefixes.js";

export interface JournalMessage extends PrefixFields {
  text: string;
}

function messageText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  // journald encodes non-UTF-8 messages as arrays of byte values
  if (Array.isArray(value) && value.every((b) => typeof b === "number")) {
    return Buffer.from(value as number[]).toString("utf8");
  }
  return undefined;
}

/** Parses one `journalctl -o json` line; undefined when the line is not such an object. */
export function parseJournalJson(line: string): JournalMessage | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith("{") || !trimmed.includes('"MESSAGE"')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const text = messageText(entry.MESSAGE);
  if (text === undefined) return undefined;
  const isKernel = entry._TRANSPORT === "kernel" || entry.SYSLOG_IDENTIFIER === "kernel";
  const out: JournalMessage = { text, origin: isKernel ? "kernel" : "foreign" };
  const host = entry._HOSTNAME;
  if (typeof host === "string") out.host = host;
  // journald writes PRIORITY as a string; anything else (an object can refuse conversion) is
  // not a priority
  const raw = entry.PRIORITY;
  const priority = typeof raw === "string" || typeof raw === "number" ? Number(raw) : Number.NaN;
  if (Number.isInteger(priority) && priority >= 0 && priority <= 7) out.level = priority;
  const monotonic = entry._SOURCE_MONOTONIC_TIMESTAMP ?? entry.__MONOTONIC_TIMESTAMP;
  if (typeof monotonic === "string" && /^\d+$/.test(monotonic)) out.time = Number(monotonic) / 1e6;
  return out;
}

/** A field line of `journalctl -o export`: upper-case key, `=`, value. */
const EXPORT_FIELD = /^(?<key>_{0,2}[A-Z][A-Z0-9_]*)=(?<value>.*)$/;

/**
 * Follows `journalctl -o export` entries, which state their transport before or after
 * the message, so the message is held until the entry's blank line.
 */
export class JournalExportReader {
  private pending: { no: number; text: string } | undefined;
  private kernel = false;
  private fieldLines = 0;

  /** No entry is half read: the next line cannot complete one. */
  get idle(): boolean {
    return this.pending === undefined && !this.kernel;
  }

  /** True once the input has looked like export format (several KEY=value lines). */
  get active(): boolean {
    return this.fieldLines >= 3;
  }

  /**
   * Feeds one line. Returns true if the line was an export field (and so consumed).
   * Completed messages are passed to `emit` with the line number of their MESSAGE field.
   */
  push(no: number, line: string, emit: (no: number, message: JournalMessage) => void): boolean {
    if (line === "") {
      this.flush(emit);
      return this.active;
    }
    const m = EXPORT_FIELD.exec(line);
    if (!m?.groups) return false;
    this.fieldLines++;
    const { key, value } = m.groups;
    if (key === "MESSAGE") this.pending = { no, text: value ?? "" };
    else if ((key === "_TRANSPORT" || key === "SYSLOG_IDENTIFIER") && value === "kernel")
      this.kernel = true;
    return true;
  }

  flush(emit: (no: number, message: JournalMessage) => void): void {
    if (this.pending) {
      emit(this.pending.no, {
        text: this.pending.text,
        origin: this.kernel ? "kernel" : "foreign",
      });
    }
    this.pending = undefined;
    this.kernel = false;
  }
}
