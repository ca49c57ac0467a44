/**
 * @module oops/formats
 * The crash-format table in matching order: for each input line, the first group whose
 * header the line contains opens a report.
 */
import { bugGroup } from "./bug.js";
import { faultGroups } from "./faults.js";
import { infoGroup } from "./info.js";
import { miscGroups } from "./misc.js";
import { panicGroups } from "./panic.js";
import type { OopsGroup } from "./types.js";
import { warningGroup } from "./warning.js";
import { zfsGroups } from "./zfs.js";

export const oopsGroups: readonly OopsGroup[] = [
  bugGroup,
  warningGroup,
  infoGroup,
  faultGroups[0] as OopsGroup, // Unable to handle kernel
  faultGroups[1] as OopsGroup, // general protection fault
  faultGroups[2] as OopsGroup, // stack segment
  ...panicGroups.slice(0, 1), // Kernel panic
  faultGroups[3] as OopsGroup, // PANIC: double fault
  ...panicGroups.slice(1), // rust, kernel BUG, Kernel BUG, BUG kmalloc-
  ...faultGroups.slice(4), // divide error, invalid opcode, int3, arm faults
  ...miscGroups,
  ...zfsGroups,
];

/**
 * A header that does not open a new report when it appears soon after one: it is the tail
 * of the report already open (the panic after an oops, the opcode trap of a BUG()), unless
 * that report's header matches `notInto` (a second OOM report is a report of its own).
 */
export interface Continuation {
  test: RegExp;
  notInto?: RegExp;
  /** it continues only a report whose header matches this */
  onlyInto?: RegExp;
  /** how close to the open report's last line it must come: seconds, else lines */
  seconds?: number;
  lines?: number;
}

export const continuationHeaders: readonly Continuation[] = [
  { test: /invalid opcode: 0000/ },
  // ("Kernel panic: Aiee, killing interrupt handler!" before 2.6)
  { test: /Kernel panic(?: - not syncing)?: / },
  { test: /unregister_netdevice: waiting for/ },
  // a double fault can come from handling a page fault in badly corrupted memory
  { test: /PANIC: double fault/ },
  { test: /Internal error:/ },
  { test: /int3: / },
  // an allocation inside a report can hit the OOM killer; alone it opens its own report,
  // and after another OOM report (its kill line included) it is the next OOM
  {
    test: /invoked oom-killer:/,
    notInto: /invoked oom-killer:|oom-kill:constraint=|of memory: Kill/,
  },
  // the kill that ends an OOM report; seconds later it is a kill of a report cut from the paste
  { test: /oom-kill:constraint=/, notInto: /oom-kill:constraint=|of memory: Kill/, seconds: 1 },
  { test: /of memory: Kill(?:ed)? process/, notInto: /of memory: Kill/, seconds: 1 },
  // powerpc's watchdog names the stuck CPU on a line of its own
  { test: /Watchdog CPU:\d+ Hard LOCKUP/ },
  // spl_panic() after the VERIFY/ASSERT line it reports
  { test: /PANIC at [^:\s]+:[0-9]+:[A-Za-z0-9_.]+\(\)/ },
  // arm's BUG() before 2.6.x wrote to address 0: the fault explains the "kernel BUG" line
  {
    test: /Unable to handle kernel NULL pointer dereference at virtual address 0+$/,
    onlyInto: /kernel BUG at /,
    lines: 3,
  },
  // x86's die() line ("Oops: 0002 [#1] SMP") after the fault line it explains
  { test: /\bOops: / },
  // riscv's die() line after "kernel BUG at"
  { test: /^Kernel BUG \[#\d+\]/ },
  // the hung-task detector names the blocker of the task it just reported
  { test: /INFO: task \S+ (?:is )?blocked on an? [\w-]+ likely (?:last held|owned) by/ },
  // a watchdog or stall report dumps the other CPUs' stacks (SysRq-l alone opens a report)
  { test: /^NMI backtrace for cpu \d+/ },
];

/**
 * Headers that old kernels print as the message of a WARN() whose "WARNING: at" line came
 * just before (`within` lines): that WARN line opens their report, whose kind they give.
 */
export const warnMessages: ReadonlyArray<{ test: RegExp; warn: RegExp; within: number }> = [
  { test: /Watchdog detected hard LOCKUP/, warn: /WARNING: at kernel\/watchdog\.c/, within: 3 },
];

/** Messages that are not bugs but print a stack; inside a report they mean interleaving. */
export const infoMessagesWithStack: readonly string[] = [
  "vmalloc: allocation failure:",
  "FAULT_INJECTION: forcing a failure",
  "FAULT_FLAG_ALLOW_RETRY missing",
];

export type { OopsFormat, OopsGroup, StackPart, StackSpec } from "./types.js";
export { TRACE } from "./types.js";
