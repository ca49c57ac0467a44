/**
 * @module shell/commands/sys
 * `sys`: crash's key/value block about the dumped system. Release, version, machine and node
 * name come from the dump's utsname; the rest from `ctx.sysFacts` (see `sys-facts.ts`), and a
 * fact nobody can give yet is printed as unknown, with why, rather than guessed.
 */
import type { Kernel } from "../../kernel/kernel.js";
import {
  type CommandContext,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import type { SysFactsInput } from "../sys-facts.js";
import { ctimeUtc } from "./log.js";

/** crash right-aligns the keys to 12 columns: `LOAD AVERAGE: `, `      KERNEL: ` */
export const sysLine = (key: string, value: string) => `${key.padStart(12)}: ${value}`;

/** `00:00:02`, `8 days, 03:55:27` (crash's convert_time) */
export function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const clock = `${p2(Math.floor((seconds % 86400) / 3600))}:${p2(Math.floor((seconds % 3600) / 60))}:${p2(Math.floor(seconds % 60))}`;
  return days > 0 ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
}

/** avenrun fixed-point (11 fraction bits), rounded as the kernel's /proc/loadavg does */
export function formatLoad(value: bigint): string {
  const FIXED_1 = 1n << 11n;
  const v = value + FIXED_1 / 200n;
  return `${v >> 11n}.${String(((v & (FIXED_1 - 1n)) * 100n) >> 11n).padStart(2, "0")}`;
}

/** `255.5 MB`, `8 GB`, `512 KB` */
export function formatMemory(bytes: bigint): string {
  const units: [bigint, string][] = [
    [1n << 30n, "GB"],
    [1n << 20n, "MB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const tenths = (bytes * 10n + size / 2n) / size;
      const text = tenths % 10n === 0n ? `${tenths / 10n}` : `${tenths / 10n}.${tenths % 10n}`;
      return `${text} ${unit}`;
    }
  }
  return `${bytes / 1024n} KB`;
}

/** `Sun Nov 22 00:11:43 UTC 2026` */
export function formatDate(date: Date): string {
  const text = ctimeUtc(date);
  return `${text.slice(0, -5)} UTC ${text.slice(-4)}`;
}

const unknown = (why: string) => `(unknown: ${why})`;

function isPartial(kernel: Kernel): boolean {
  const level = kernel.dump.facts().find((f) => f.key === "dumpLevel")?.value;
  return typeof level === "number" && level > 0;
}

/** The sys block's lines, in crash's order. */
export async function sysLines(ctx: CommandContext): Promise<string[]> {
  const { kernel } = ctx;
  const view = kernel.view;
  const input: SysFactsInput = { kernel, log: ctx.log };
  const facts = ctx.sysFacts;
  const [online, date, uptime, load, tasks, memory, mhz, tainted, panic] = await Promise.all([
    facts.onlineCpus(input),
    facts.date(input),
    facts.uptimeSeconds(input),
    facts.loadAverage(input),
    facts.tasks(input),
    facts.memoryBytes(input),
    facts.cpuMhz(input),
    facts.tainted(input),
    facts.panicMessage(input),
  ]);
  const kernelFile = ctx.files.vmlinux ?? "(none: kallsyms + BTF from the dump)";
  const cpus = view.cpus.length;
  const offline = online !== undefined && online < cpus ? ` [OFFLINE: ${cpus - online}]` : "";
  return [
    sysLine("KERNEL", `${kernelFile}${tainted === true ? "  [TAINTED]" : ""}`),
    sysLine("DUMPFILE", `${ctx.files.dump}${isPartial(kernel) ? "  [PARTIAL DUMP]" : ""}`),
    sysLine("CPUS", cpus > 0 ? `${cpus}${offline}` : unknown("the dump has no CPU notes")),
    sysLine(
      "DATE",
      date === undefined
        ? unknown("no crash time in VMCOREINFO, and the timekeeper is not in the dump")
        : formatDate(date),
    ),
    sysLine(
      "UPTIME",
      uptime === undefined
        ? unknown("jiffies_64 or tick_nsec is not in the dump")
        : formatUptime(uptime),
    ),
    sysLine(
      "LOAD AVERAGE",
      load === undefined ? unknown("avenrun not in the dump") : load.map(formatLoad).join(", "),
    ),
    sysLine(
      "TASKS",
      tasks === undefined ? unknown("the task list cannot be read from this dump") : String(tasks),
    ),
    sysLine("NODENAME", view.hostname ?? unknown("no utsname in the dump")),
    sysLine("RELEASE", view.release ?? unknown("no utsname or OSRELEASE in the dump")),
    sysLine("VERSION", view.version ?? unknown("no utsname in the dump")),
    sysLine(
      "MACHINE",
      `${view.machine ?? "unknown"}  (${mhz === undefined ? "unknown" : mhz} Mhz)`,
    ),
    sysLine(
      "MEMORY",
      memory === undefined
        ? unknown("the nodes' present pages are not in the dump")
        : formatMemory(memory),
    ),
    // crash adds this when the message is an oops (arm64's "not syncing: Oops: Fatal exception")
    sysLine(
      "PANIC",
      `"${panic ?? ""}"${panic?.includes("Oops: ") ? " (check log for details)" : ""}`,
    ),
  ];
}

export const sysCommand: ShellCommand = {
  name: "sys",
  summary: "system data",
  usage: "[-c [name|number]] [config]",
  options: [
    {
      flag: "c",
      description: "the system call table (needs a vmlinux's sys_call_table types; not yet)",
    },
  ],
  help: `Prints general facts about the dumped system, as crash does at startup: the kernel,
the dump file, CPUs (with those offline at the crash), date, uptime, load average, tasks,
node name, release, version, machine and CPU speed, memory, and the panic message (the last
"Kernel panic - not syncing" line of the log, else the first line of the report before it).
A fact the dump does not give is printed as (unknown: why), never guessed.`,
  examples: `crashlens> sys | grep PANIC
       PANIC: "Kernel panic - not syncing: Fatal exception"`,
  async run(ctx, args) {
    if (args.has("c"))
      throw new ShellCommandError("-c: the system call table is not supported yet");
    if (args.positional[0] === "config")
      throw new ShellCommandError("config: the kernel configuration (IKCONFIG) is not read yet");
    if (args.positional.length > 0) throw new ShellUsageError("");
    ctx.out.write(`${(await sysLines(ctx)).join("\n")}\n`);
  },
};
