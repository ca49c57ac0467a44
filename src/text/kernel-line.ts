/**
 * @module text/kernel-line
 * The unit everything downstream reads: one input line with its log prefixes removed and
 * what they said kept as fields, plus its line number in the original input.
 */

export type LineOrigin =
  /** carried a kernel-log prefix: printk timestamp or level, or a syslog/journal `kernel` tag */
  | "kernel"
  /** no recognised prefix: raw console text, a pasted crash session, or prose */
  | "plain"
  /** a syslog/journal line from another program; never part of a kernel report */
  | "foreign";

export interface KernelLine {
  /** 1-based line number in the input */
  no: number;
  /** the message text with every recognised prefix removed */
  text: string;
  /** the input line as read, terminal noise removed (for quoting as evidence) */
  raw: string;
  origin: LineOrigin;
  /** printk timestamp, seconds since boot */
  time?: number;
  /** printk level 0..7, when the prefix gave one */
  level?: number;
  /** printk caller id from CONFIG_PRINTK_CALLER: "T123" (task) or "C1" (CPU) */
  caller?: string;
  /** host name from a syslog prefix */
  host?: string;
  /** the line was longer than the reader's limit and was cut */
  cut?: boolean;
}
