/**
 * @module shell/commands/sym
 * `sym`: kallsyms lookups in crash's shape, `ffffffff810a86f4 (T) run_posix_cpu_timers+164`:
 * an address to its symbol, a name to its address, `-l` every symbol, `-q` a search,
 * `-n`/`-p` the next or previous symbol, `-m`/`-M` module symbols (read from each module's
 * own kallsyms by the session, printed with ` [module]`).
 */

import { symbolNotFound } from "../address.js";
import { checkpoint } from "../cancel.js";
import {
  type CommandContext,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { parseHexAddress } from "../expression.js";
import { formatOffset } from "../settings.js";
import type { ShellSymbol } from "../symbol-index.js";

export function formatSymbolLine(
  symbol: ShellSymbol,
  address: bigint,
  offset: number,
  radix: 10 | 16,
): string {
  const module = symbol.module === undefined ? "" : ` [${symbol.module}]`;
  return `${address.toString(16)} (${symbol.type}) ${symbol.name}${formatOffset(offset, radix)}${module}\n`;
}

async function show(ctx: CommandContext, word: string): Promise<void> {
  const index = await ctx.symbols();
  const radix = ctx.settings.radix;
  const address = parseHexAddress(word);
  if (address !== undefined && index.lookup(word) === undefined) {
    const hit = index.find(address);
    if (hit === undefined) throw new ShellCommandError(`symbol not found: ${word}`, { bare: true });
    ctx.out.write(formatSymbolLine(hit.symbol, address, hit.offset, radix));
    return;
  }
  const symbol = index.lookup(word);
  if (symbol === undefined) throw symbolNotFound(index, word);
  ctx.out.write(formatSymbolLine(symbol, symbol.address, 0, radix));
}

export const symCommand: ShellCommand = {
  name: "sym",
  summary: "translate a symbol to its virtual address, or vice-versa",
  usage: "[-l] | [-M] | [-m module] | [-p|-n] | [-q string] | [symbol | vaddr]",
  options: [
    { flag: "l", description: "list every symbol, in address order" },
    { flag: "q", value: "string", description: "list the symbols whose names contain string" },
    { flag: "n", value: "symbol", description: "the symbol after symbol (by address)" },
    { flag: "p", value: "symbol", description: "the symbol before symbol (by address)" },
    { flag: "m", value: "module", description: "list a module's symbols" },
    { flag: "M", description: "list every module's symbols" },
  ],
  help: `Translates a hexadecimal address to the symbol that holds it (with the offset into it)
or a symbol name to its address, printing each as address (type) name. The symbols are the
kernel's own kallsyms read from the dump (text, data and bss with KALLSYMS_ALL) and each
loaded module's kallsyms (shown with [module]), so no vmlinux is needed. A name that is not
found lists the symbols that contain it.`,
  examples: `crashlens> sym panic
ffffffffa21ccf31 (T) panic
crashlens> sym ffffffffa21cd0a8
ffffffffa21cd0a8 (T) panic+375`,
  async run(ctx, args) {
    const index = await ctx.symbols();
    const radix = ctx.settings.radix;
    const module = args.value("m");
    if (module !== undefined || args.has("M")) {
      const list = index
        .all()
        .filter((s) => s.module !== undefined && (module === undefined || s.module === module));
      if (list.length === 0)
        throw new ShellCommandError(
          module === undefined
            ? "no module symbols could be read"
            : `${module}: no such module, or its symbols could not be read`,
        );
      for (const s of list) ctx.out.write(formatSymbolLine(s, s.address, 0, radix));
      return;
    }
    if (args.has("l")) {
      for (const s of index.all()) {
        if (await checkpoint(ctx.signal)) return;
        ctx.out.write(formatSymbolLine(s, s.address, 0, radix));
      }
      return;
    }
    const query = args.value("q");
    if (query !== undefined) {
      for (const s of index.containing(query))
        ctx.out.write(formatSymbolLine(s, s.address, 0, radix));
      return;
    }
    for (const flag of ["n", "p"] as const) {
      const name = args.value(flag);
      if (name === undefined) continue;
      const symbol = index.lookup(name);
      if (symbol === undefined) throw symbolNotFound(index, name);
      const other = flag === "n" ? index.next(symbol) : index.previous(symbol);
      if (other === undefined)
        throw new ShellCommandError(`no symbol ${flag === "n" ? "after" : "before"} ${name}`);
      ctx.out.write(formatSymbolLine(other, other.address, 0, radix));
      return;
    }
    if (args.positional.length === 0) throw new ShellUsageError("");
    for (const word of args.positional) await show(ctx, word);
  },
};
