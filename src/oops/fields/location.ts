/**
 * @module oops/fields/location
 * Parses code locations as printed in logs (`name+0x52/0xd0 [module]`) and in crash
 * sessions (`name+82`), and normalises numbers and addresses.
 */
import type { Location } from "../report.js";

/** "name+0xoff/0xsize" with optional "[module]" or "[module buildid]" after it. */
// the lookbehind starts a name only at a name boundary: no backtracking along long words
const LOG_LOCATION =
  /(?<![\w.$])([A-Za-z_.$][\w.$]*)\+(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|\d+))?(?:\s+\[([\w-]+)(?:\s+[0-9a-f]+)?\])?/;

export function parseNumber(text: string): number {
  return text.startsWith("0x") ? Number.parseInt(text.slice(2), 16) : Number.parseInt(text, 10);
}

/** "ffffffff81573762" or "0xFFFF…" → "0xffffffff81573762" (no leading zeros). */
export function hexAddress(text: string): string {
  const digits = text
    .replace(/^0x/i, "")
    .toLowerCase()
    .replace(/^0+(?=[0-9a-f])/, "");
  return `0x${digits}`;
}

/** The first `name+off/size [module]` in a text, if any. */
export function parseLocation(
  text: string,
): (Location & { index: number; length: number }) | undefined {
  const m = LOG_LOCATION.exec(text);
  if (!m) return undefined;
  const loc: Location & { index: number; length: number } = {
    // ppc64 ELFv1 names functions by their descriptor-less entry: ".foo" is foo
    symbol: (m[1] as string).replace(/^\.(?=[A-Za-z_])/, ""),
    offset: parseNumber(m[2] as string),
    module: m[4] ?? null,
    index: m.index,
    length: m[0].length,
  };
  if (m[3] !== undefined) loc.size = parseNumber(m[3]);
  return loc;
}

/** A bracketed address as printed before symbols: "[<ffffffff81573762>]". */
export function bracketAddress(text: string): string | undefined {
  const m = /\[<?(?:0x)?([0-9a-f]{8,16})>?\]/.exec(text);
  return m ? hexAddress(m[1] as string) : undefined;
}

/** "buggy_read_status [buggy]": a function with its module, as the kernel prints frames. */
export function symbolWithModule(loc: { symbol?: string; module?: string | null }): string {
  return `${loc.symbol ?? "?"}${loc.module ? ` [${loc.module}]` : ""}`;
}

/** The function a compiler clone belongs to: "foo.constprop.0", "foo.isra.3", "foo.cold" → "foo". */
export function baseSymbol(symbol: string): string {
  return symbol.replace(
    /\.(?:constprop|isra|part|cold|llvm|lto_priv|clone|avx\d*)(?:\.\d+)*(?=\.|$).*$/,
    "",
  );
}
