/**
 * @module shell/format/print-context
 * What printing a value needs from the session: kallsyms to name pointer targets (gdb's
 * `<symbol+offset>`) and the strings behind `char *` members, read before the synchronous
 * print. Shared by `struct`, `union`, `p` and anything else that prints BTF values.
 */
import type { Btf } from "../../kernel/btf/btf.js";
import type { BtfValue } from "../../kernel/btf/value.js";
import type { Kernel } from "../../kernel/kernel.js";
import type { SymbolIndex } from "../symbol-index.js";
import {
  CRASH_PRINT_MAX,
  type GdbPrintOptions,
  readGdbString,
  type StringRead,
  stringTargets,
} from "./gdb-value.js";

/** the lowest kernel address (x86-64 and arm64 48-bit); below it nothing is symbolized */
const KERNEL_SPACE = 0xffff800000000000n;

/**
 * gdb's `<name+off>` for an address kallsyms covers. kallsyms has no sizes, so a data address
 * past its symbol's start is only named when the symbol is not read-only data (string
 * literals have no symbol of their own and would take their neighbour's).
 */
export function kallsymsSymbolizer(
  index: SymbolIndex,
): (address: bigint, kind: "function" | "data") => string | undefined {
  return (address, kind) => {
    if (address < KERNEL_SPACE) return undefined;
    // symbols below the kernel half (absolute per-CPU offsets) never name a pointer
    const hit = index.findKernel(address);
    if (hit === undefined) return undefined;
    if (hit.offset === 0) return hit.symbol.name;
    if (kind === "data" && /^[rR]$/.test(hit.symbol.type)) return undefined;
    return `${hit.symbol.name}+${hit.offset}`;
  };
}

/** The print options for `value`: `base` plus symbols and the `char *` strings it needs. */
export async function printOptions(
  kernel: Kernel,
  symbols: SymbolIndex | undefined,
  btf: Btf,
  value: BtfValue,
  base: GdbPrintOptions = {},
): Promise<GdbPrintOptions> {
  const options: GdbPrintOptions = { ...base };
  if (symbols !== undefined) options.symbolize = kallsymsSymbolizer(symbols);
  const targets = stringTargets(btf, value, options);
  if (targets.length > 0) {
    const strings = new Map<bigint, StringRead>();
    for (const address of targets.slice(0, 4096))
      strings.set(
        address,
        await readGdbString(
          (a, n) => kernel.memory.read(a, n),
          address,
          base.printMax ?? CRASH_PRINT_MAX,
        ),
      );
    options.strings = strings;
  }
  return options;
}
