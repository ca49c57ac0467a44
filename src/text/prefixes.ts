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
 * CJK locales write it as a number and a character: "11月" (zh, ja), "11월" (ko).
 */
const ANY_MONTH = "(?:\\p{L}{2,9}\\.?|\\d{1,2}[月월])";
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
    // with the month in the user's locale; some setups log no host name
    id: "syslog",
    re: new RegExp(
      `^(?:<\\d{1,3}>)?${ANY_MONTH} {1,2}\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? (?:(?<host>\\S*[^\\s:]) )?(?<tag>[^\\s:\\[]+)(?:\\[\\d+\\])?:(?: |$)(?<rest>.*)$`,
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
    // syslogd's wall message body (" kernel:Oops: …" under "Message from syslogd@host at …")
    // and pastes that kept only the tag: "kernel: text"
    id: "bare-tag",
    re: /^\s*kernel: ?(?<rest>.*)$/,
    fields: () => ({ origin: "kernel" }),
  },
  {
    // socklog and busybox syslogd keep facility and level: "kern.alert: text"
    id: "facility-level",
    re: /^kern\.(?<lvl>emerg|alert|crit|err|warn|notice|info|debug): (?<rest>.*)$/,
    fields: (m) => ({ origin: "kernel", level: LEVEL_NAMES.indexOf(m.groups?.lvl ?? "") }),
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
    // a timestamp whose "[" a copy cut off, at the top of a paste: "60836.026949] text"
    id: "cut-timestamp",
    re: /^(?<s>\d+)\.(?<f>\d{6})\] ?(?<rest>.*)$/,
    fields: (m) => ({
      time: seconds(m.groups?.s ?? "0", m.groups?.f ?? "0"),
      origin: "kernel",
    }),
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

/** mail quote markers: ">" with at most one blank after each, a few blanks before the first */
const MAIL_QUOTE = /^[ \t]{0,3}>(?:[ \t]?>)*[ \t]?/;
const PRINTK_START = /^(?:<[0-7]>|\[\s*\d+\.\d+\])/;
/**
 * A printk timestamp as the kernel prints it, six decimals: shaped enough that whatever stands
 * before it on the line is a prefix that transport added.
 */
const PRINTK_TIME = /\[\s*\d{1,10}\.\d{6}\]/;
/** How far into a line such a prefix may reach. */
const MAX_JUNK = 160;
/** Markdown emphasis around a pasted line ("**[ 29.77] BUG: …**"): removed at both ends. */
const EMPHASIS = /(?:\*\*|__|`)$/;

/**
 * Where a printk prefix starts after whatever transport put in front of it; 0 when there is
 * none. At the start: mail quoting ("> "), indentation. Before a printk timestamp, anything:
 * a shell prompt, a `grep -r` file name ("/sys/fs/pstore/dmesg-ramoops-0:"), a console tag
 * ("[guest0/uart0] "), printk's drop notice, a login prompt, markdown emphasis, an HTML tag.
 * Linear in the line length.
 */
function printkAfterJunk(text: string): number {
  const lead = /^[\s>]*/.exec(text)?.[0].length ?? 0;
  if (PRINTK_START.test(text.slice(lead, lead + 32))) return lead;
  const time = PRINTK_TIME.exec(text.slice(0, MAX_JUNK));
  return time ? time.index : 0;
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
  if (out.origin === undefined && !PRINTK_START.test(out.text)) {
    // mail quoting, indentation, a prompt, a tag or a file name glued in front
    const prefix = printkAfterJunk(out.text);
    if (prefix > 0) {
      const emphasis = EMPHASIS.exec(out.text.slice(0, prefix))?.[0];
      out.text = out.text.slice(prefix);
      if (emphasis && out.text.endsWith(emphasis)) out.text = out.text.slice(0, -emphasis.length);
    }
  }
  for (const row of kernelRows) applyRow(row, out.text, out);
  return out;
}
