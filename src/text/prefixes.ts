/**
 * @module text/prefixes
 * The prefixes that loggers put in front of kernel messages, as a table. Each row peels one
 * layer; `stripPrefixes` applies the outer layers (syslog, journal) once and then the kernel's
 * own layers (level, timestamp, caller id) in order. A new log shape is a new row.
 */
import type { LineOrigin } from "./kernel-line.js";

export interface PrefixFields {
  time?: number;
  level?: number;
  caller?: string;
  host?: string;
  origin?: LineOrigin;
}

interface PrefixRow {
  id: string;
  /** must match at the start of the text; the last capture group named `rest` is kept */
  re: RegExp;
  fields(m: RegExpExecArray): PrefixFields | undefined;
}

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
/**
 * A month as syslog and journalctl print it in any locale ("kesä", "июл", "juil.", "Mär"):
 * a short word of letters; the day, time, host and tag around it make the shape unmistakable.
 */
const ANY_MONTH = "\\p{L}{2,9}\\.?";
const WEEKDAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";

function seconds(whole: string, frac: string): number {
  return Number(whole) + Number(frac) / 10 ** frac.length;
}

function tagOrigin(tag: string | undefined): LineOrigin {
  return tag === "kernel" ? "kernel" : "foreign";
}

/** Outer layers: added by syslog daemons and journalctl. At most one applies. */
const outerRows: PrefixRow[] = [
  {
    // rsyslog/journalctl short: "May 23 18:36:31 host kernel: text" (optionally "<4>" first),
    // with the month in the user's locale
    id: "syslog",
    re: new RegExp(
      `^(?:<\\d{1,3}>)?${ANY_MONTH} {1,2}\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? (?<host>\\S+) (?<tag>[^\\s:\\[]+)(?:\\[\\d+\\])?:(?: |$)(?<rest>.*)$`,
      "u",
    ),
    fields: (m) => ({ host: m.groups?.host, origin: tagOrigin(m.groups?.tag) }),
  },
  {
    // RFC 5424 / journalctl -o short-iso: "2023-05-23T18:36:31.123+0000 host kernel: text"
    id: "syslog-iso",
    re: /^(?:<\d{1,3}>\d? )?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)? (?<host>\S+) (?<tag>[^\s:[]+)(?:\[\d+\])?:(?: |$)(?<rest>.*)$/,
    fields: (m) => ({ host: m.groups?.host, origin: tagOrigin(m.groups?.tag) }),
  },
  {
    // journalctl -o short-monotonic: "[  123.456789] host kernel: text"
    id: "journal-monotonic",
    re: /^\[\s*(?<s>\d+)\.(?<f>\d+)\] (?<host>\S+) kernel:(?: |$)(?<rest>.*)$/,
    fields: (m) => ({
      host: m.groups?.host,
      origin: "kernel",
      time: seconds(m.groups?.s ?? "0", m.groups?.f ?? "0"),
    }),
  },
  {
    // dmesg -x: "kern  :warn  : [  1.2] text"
    id: "dmesg-decode",
    re: /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local\d)\s*:(?<lvl>emerg|alert|crit|err|warn|notice|info|debug)\s*: (?<rest>.*)$/,
    fields: (m) => ({ origin: "kernel", level: LEVEL_NAMES.indexOf(m.groups?.lvl ?? "") }),
  },
];

const LEVEL_NAMES = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];

/** The kernel's own layers, applied in this order, each at most once. */
const kernelRows: PrefixRow[] = [
  {
    // printk level as written to /dev/kmsg readers and vmcore-dmesg.txt: "<4>"
    id: "level",
    re: /^<(?<lvl>[0-7])>(?<rest>.*)$/,
    fields: (m) => ({ level: Number(m.groups?.lvl), origin: "kernel" }),
  },
  {
    // "[  705327.823158]" and the caller id "[T123]" / "[  C1]" that CONFIG_PRINTK_CALLER adds
    id: "timestamp",
    re: /^\[\s*(?<s>\d+)\.(?<f>\d+)\](?: ?\[\s*(?<caller>[TC]\d+)\])? ?(?<rest>.*)$/,
    fields: (m) => {
      const fields: PrefixFields = {
        time: seconds(m.groups?.s ?? "0", m.groups?.f ?? "0"),
        origin: "kernel",
      };
      if (m.groups?.caller) fields.caller = m.groups.caller;
      return fields;
    },
  },
  {
    // dmesg -T / crash log -T: "[Sun May 23 18:36:31 2021] "
    id: "human-time",
    re: new RegExp(
      `^\\[${WEEKDAY} ${MONTH} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] ?(?<rest>.*)$`,
    ),
    fields: () => ({ origin: "kernel" }),
  },
  {
    // 2.6.x printed KERN_DEFAULT and KERN_CONT literally: "<d>" / "<c>"
    id: "default-level",
    re: /^<[dc]>(?<rest>.*)$/,
    fields: () => ({ origin: "kernel" }),
  },
];

const PRINTK_START = /^(?:<[0-7]>|\[\s*\d+\.\d+\])/;
/** mail quote markers: ">" with at most one blank after each, a few blanks before the first */
const MAIL_QUOTE = /^[ \t]{0,3}>(?:[ \t]?>)*[ \t]?/;

/**
 * Where a printk prefix starts after mail quoting ("> "), indentation, printk's drop notice,
 * or a console login prompt glued in front; 0 when there is none. Linear in the line length.
 */
function printkAfterJunk(text: string): number {
  const lead = /^[\s>]*/.exec(text)?.[0].length ?? 0;
  let at = lead;
  const dropped = /^\*\* \d+ printk messages dropped \*\* /.exec(text.slice(at, at + 64));
  if (dropped) at += dropped[0].length;
  if (PRINTK_START.test(text.slice(at, at + 32))) return at;
  const login = text.indexOf(" login: ", at);
  if (login !== -1 && PRINTK_START.test(text.slice(login + 8, login + 40))) return login + 8;
  return 0;
}

export interface Stripped extends PrefixFields {
  text: string;
}

function applyRow(row: PrefixRow, text: string, into: Stripped): boolean {
  const m = row.re.exec(text);
  if (!m) return false;
  const fields = row.fields(m);
  if (!fields) return false;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (into as unknown as Record<string, unknown>)[key] = value;
  }
  into.text = m.groups?.rest ?? "";
  return true;
}

/**
 * Removes logger and printk prefixes from one line. Leading white space before a
 * timestamp (an indented paste) and mail quoting ("> ") in front of one are removed too;
 * white space after the prefixes is kept, since it is part of the kernel's text.
 */
export function stripPrefixes(line: string): Stripped {
  // mail quoting, at any depth ("> ", "> > ", ">> "), comes off first: what it quotes may be
  // a syslog line, a timestamped one or a bare one, and no kernel message starts with ">"
  const quote = MAIL_QUOTE.exec(line)?.[0].length ?? 0;
  const out: Stripped = { text: quote > 0 ? line.slice(quote) : line };
  for (const row of outerRows) {
    if (applyRow(row, out.text, out)) break;
  }
  if (out.origin === "foreign") return out;
  // (a line already starting with a printk prefix needs none of this; most lines do)
  if (out.origin === undefined && out.text[0] !== "[" && out.text[0] !== "<") {
    // mail quoting, indentation, a console login prompt or printk's drop notice glued in front
    const prefix = printkAfterJunk(out.text);
    if (prefix > 0) out.text = out.text.slice(prefix);
  }
  for (const row of kernelRows) applyRow(row, out.text, out);
  return out;
}
