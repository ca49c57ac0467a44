/**
 * @module shell/settings
 * The session's `set` variables that change how commands print: crash's scroll (pager) and
 * output radix.
 */

export interface ShellSettings {
  /** page output longer than the terminal through `$PAGER` (or `less -FRX`) */
  scroll: boolean;
  /** how symbol offsets print: `+164` (10) or `+0xa4` (16), as crash's `set radix` */
  radix: 10 | 16;
  /** the task `bt`, `task` … act on without an argument (`set PID`); unset: the panic task */
  context?: bigint;
}

export function defaultSettings(): ShellSettings {
  return { scroll: true, radix: 10 };
}

/** `+164` or `+0xa4` by the radix; nothing for offset 0 */
export function formatOffset(offset: number | bigint, radix: 10 | 16): string {
  if (offset === 0 || offset === 0n) return "";
  return radix === 16 ? `+0x${offset.toString(16)}` : `+${offset.toString(10)}`;
}
