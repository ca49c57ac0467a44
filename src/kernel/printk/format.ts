/**
 * @module kernel/printk/format
 * Printing records the way the peers do: `[%5llu.%06llu] text`, bytes that are neither
 * printable nor whitespace as `\xNN`; continuation lines of a multi-line record indented under
 * the text (`makedumpfile --dump-dmesg`, like `dmesg`) or flush left (`vmcore-dmesg`).
 */
import type { PrintkRecord } from "./types.js";

export type LogStyle = "makedumpfile" | "vmcore-dmesg";

export function timestampPrefix(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const micros = (ns % 1_000_000_000n) / 1000n;
  return `[${seconds.toString().padStart(5, " ")}.${micros.toString().padStart(6, "0")}] `;
}

/** C isprint() || isspace() in the C locale */
const passes = (c: number) => (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d);

/** anything but printable ASCII and tab: the bytes escapeText must look at */
const SPECIAL = /[^\x20-\x7e\t]/;

function escapeText(text: string, indent: string): string {
  // most records are plain printable text
  if (!SPECIAL.test(text)) return text;
  let out = "";
  let plainFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a && indent !== "") {
      out += `${text.slice(plainFrom, i)}\n${indent}`;
      plainFrom = i + 1;
    } else if (!passes(c)) {
      out += `${text.slice(plainFrom, i)}\\x${c.toString(16).padStart(2, "0")}`;
      plainFrom = i + 1;
    }
  }
  return out + text.slice(plainFrom);
}

export function formatRecord(record: PrintkRecord, style: LogStyle): string {
  if (record.verbatim) return `${record.text}\n`;
  const prefix = timestampPrefix(record.timestampNs);
  const indent = style === "makedumpfile" ? " ".repeat(prefix.length) : "";
  return `${prefix}${escapeText(record.text, indent)}\n`;
}

export function formatLog(
  records: readonly PrintkRecord[],
  style: LogStyle = "makedumpfile",
): string {
  let out = "";
  for (const record of records) out += formatRecord(record, style);
  return out;
}
