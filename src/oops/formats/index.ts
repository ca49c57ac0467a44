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
 * Headers that do not open a new report when they appear inside one: they are the tail
 * of the report already open (the panic after an oops, the opcode trap of a BUG()).
 */
export const continuationHeaders: readonly RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  // a double fault can come from handling a page fault in badly corrupted memory
  /PANIC: double fault/,
  /Internal error:/,
  /int3: /,
  // an allocation inside a report can hit the OOM killer; alone it opens its own report
  /invoked oom-killer:/,
  // spl_panic() after the VERIFY/ASSERT line it reports
  /PANIC at [^:\s]+:[0-9]+:[A-Za-z0-9_.]+\(\)/,
];

/** Messages that are not bugs but print a stack; inside a report they mean interleaving. */
export const infoMessagesWithStack: readonly string[] = [
  "vmalloc: allocation failure:",
  "FAULT_INJECTION: forcing a failure",
  "FAULT_FLAG_ALLOW_RETRY missing",
];

export type { OopsFormat, OopsGroup, StackPart, StackSpec } from "./types.js";
export { TRACE } from "./types.js";
