/**
 * @module shell/commands/log
 * `log`: the kernel log read from the dump, as crash prints it — the same text as
 * `makedumpfile --dump-dmesg` (`[    0.000000] ` timestamps, continuation lines indented);
 * `-m` adds the `<level>`, `-t` drops timestamps, `-T` prints them as wall-clock times.
 */

import { formatRecord, timestampPrefix } from "../../kernel/printk/format.js";
import type { PrintkRecord } from "../../kernel/printk/types.js";
import { checkpoint } from "../cancel.js";
import { type ShellCommand, ShellCommandError, ShellUsageError } from "../command.js";

/** `<6>`: crash prints facility and level together, in hexadecimal */
function levelPrefix(record: PrintkRecord): string {
  if (record.level === undefined) return "";
  return `<${(((record.facility ?? 0) << 3) | record.level).toString(16)}>`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Sun Nov 22 00:11:41 2026` (ctime's shape, in UTC) */
export function ctimeUtc(date: Date): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  const time = `${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2)} ${time} ${date.getUTCFullYear()}`;
}

export const logCommand: ShellCommand = {
  name: "log",
  aliases: ["dmesg"],
  summary: "dump system message buffer",
  usage: "[-Ttm]",
  options: [
    { flag: "T", description: "print timestamps as wall-clock times (UTC)" },
    { flag: "t", description: "print no timestamps" },
    { flag: "m", description: "print each message's level (facility and level, in hexadecimal)" },
    { flag: "d", description: "device information (not kept by crashlens' log reader)" },
    { flag: "a", description: "the audit buffer (not read by crashlens)" },
  ],
  help: `Prints the kernel's message buffer read from the dump (every printk buffer generation),
one record per line with its [seconds.micros] timestamp; lines of a multi-line record are
indented under the first. Characters that are not printable are shown as \\xNN.
-T needs the crash's wall-clock time (sys's DATE: VMCOREINFO CRASHTIME, or the kernel's
timekeeper): each record's time is that minus the last record's timestamp plus its own.`,
  examples: `crashlens> log | grep -i buggy
crashlens> log -m | head -3`,
  async run(ctx, args) {
    if (args.positional.length > 0) throw new ShellUsageError("");
    if (args.has("a")) throw new ShellCommandError("-a: the audit buffer is not read by crashlens");
    if (args.has("d"))
      throw new ShellCommandError("-d: device information is not kept by crashlens' log reader");
    const records = await ctx.log();
    if (records.length === 0) {
      const { warnings } = await ctx.kernel.log();
      throw new ShellCommandError(
        `no kernel log could be read${warnings[0] ? `: ${warnings[0]}` : ""}`,
      );
    }
    let boot: number | undefined;
    if (args.has("T")) {
      const date = await ctx.sysFacts.date({ kernel: ctx.kernel, log: ctx.log });
      if (date === undefined)
        throw new ShellCommandError(
          "-T: the crash time is unknown (no CRASHTIME in VMCOREINFO, no timekeeper in the dump)",
        );
      const last = records.at(-1) as PrintkRecord;
      boot = date.getTime() - Number(last.timestampNs / 1_000_000n);
    }
    let chunk = "";
    for (const record of records) {
      if (await checkpoint(ctx.signal)) return;
      const level = args.has("m") ? levelPrefix(record) : "";
      if (record.verbatim) {
        chunk += `${record.text}\n`;
      } else if (args.has("t") || boot !== undefined) {
        // flush-left continuation lines, then the prefix replaced
        const line = formatRecord(record, "vmcore-dmesg").slice(
          timestampPrefix(record.timestampNs).length,
        );
        const when =
          boot === undefined
            ? ""
            : `[${ctimeUtc(new Date(boot + Number(record.timestampNs / 1_000_000n)))}] `;
        chunk += `${level}${when}${line}`;
      } else {
        chunk += `${level}${formatRecord(record, "makedumpfile")}`;
      }
      if (chunk.length > 65536) {
        ctx.out.write(chunk);
        chunk = "";
      }
    }
    ctx.out.write(chunk);
  },
};
