/**
 * @module shell/address
 * Address and count arguments as crash reads them: `( … )` is an expression, a bare hex word
 * is an address (`rd 100` reads 0x100), anything else a symbol with an optional offset
 * (`jiffies`, `cascade+0xb2`, `__free_pages+5`). A symbol that is not there gives crash's
 * `symbol not found` with the possible alternatives.
 */
import { type CommandContext, ShellCommandError } from "./command.js";
import { evaluate, parseHexAddress, parseNumber } from "./expression.js";
import type { ShellSymbol, SymbolIndex } from "./symbol-index.js";

export interface ResolvedAddress {
  readonly address: bigint;
  /** the word was a symbol name alone (`dis __free_pages` disassembles the whole function) */
  readonly symbol?: ShellSymbol;
}

/** the session's symbols, or the error that explains why there are none */
async function trySymbols(ctx: CommandContext): Promise<SymbolIndex | Error> {
  try {
    return await ctx.symbols();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Evaluates an expression whose words may name symbols. */
export async function evaluateWithSymbols(ctx: CommandContext, text: string): Promise<bigint> {
  const index = /[A-Za-z_]/.test(text) ? await trySymbols(ctx) : undefined;
  return evaluate(text, (name) => {
    if (index instanceof Error) throw index;
    return index?.lookup(name)?.address;
  });
}

export async function resolveAddress(ctx: CommandContext, word: string): Promise<ResolvedAddress> {
  if (word.startsWith("(")) return { address: await evaluateWithSymbols(ctx, word) };
  const hex = parseHexAddress(word);
  if (hex !== undefined) return { address: hex };
  const index = await ctx.symbols();
  const symbol = index.lookup(word);
  if (symbol !== undefined) return { address: symbol.address, symbol };
  const base = /^([A-Za-z0-9_.$]+)([+-].+)$/.exec(word);
  if (base !== null && index.lookup(base[1] as string) !== undefined)
    return { address: await evaluateWithSymbols(ctx, word) };
  throw symbolNotFound(index, word);
}

/** crash's `symbol not found: X` followed by `possible alternatives:` */
export function symbolNotFound(index: SymbolIndex, word: string): ShellCommandError {
  const alternatives = index
    .containing(word)
    .map((s) => `  ${s.address.toString(16)} (${s.type}) ${s.name}`);
  const lines = [`symbol not found: ${word}`, "possible alternatives:"];
  lines.push(...(alternatives.length > 0 ? alternatives : ["  (none found)"]));
  return new ShellCommandError(lines.join("\n"), { bare: true });
}

/** A count: decimal unless `0x…` or plainly hex, as crash's `stol`. */
export function parseCount(word: string): number {
  const value = parseNumber(word);
  if (value === undefined || value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ShellCommandError(`invalid count: ${word}`);
  return Number(value);
}
