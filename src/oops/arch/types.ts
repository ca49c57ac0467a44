/**
 * @module oops/arch/types
 * What the parser needs to know about one architecture's oops format: its register dump,
 * the line naming the program counter, and hints that a log comes from it.
 */
import type { Arch } from "../report.js";

export interface ArchSpec {
  id: Arch;
  /** a line of the register dump */
  registerLine: RegExp;
  /**
   * name/value pairs of a register line, names lower-case as the arch names them;
   * `known` holds the registers read so far (for dumps that number them by position)
   */
  registers(text: string, known: Readonly<Record<string, string>>): Array<[string, string]>;
  /** lines naming where the CPU was; capture 1 is the text holding the location */
  ipLines: readonly RegExp[];
  /** an ip line that points into user space: the registers after it are not the kernel's */
  userIp?: RegExp;
  /** release-string suffixes of this architecture's kernels */
  release: RegExp;
  /** hex digits of a kernel pointer as printed: 8 on a 32-bit kernel, 16 on a 64-bit one */
  pointerDigits: 8 | 16;
}

/** Collects "NAME: value" pairs with a global regex whose captures are name and value. */
export function pairs(text: string, re: RegExp, rename: (name: string) => string = (n) => n) {
  const out: Array<[string, string]> = [];
  for (const m of text.matchAll(re)) out.push([rename(m[1] as string), m[2] as string]);
  return out;
}
