/**
 * @module kernel/vmcoreinfo
 * Parsing VMCOREINFO text (`KEY=value` lines). SYMBOL and KERNELOFFSET values are hex with
 * no `0x`; SIZE/OFFSET/LENGTH are decimal; NUMBER is decimal (`%ld`, may be negative) except
 * a few written as `0x…` — so numbers detect their base. Bad values become warnings.
 */
import { unixTime } from "../dump/unix-time.js";

export interface VmcoreInfo {
  readonly raw: string;
  readonly osrelease?: string;
  readonly buildId?: string;
  readonly pageSize?: number;
  readonly kernelOffset?: bigint;
  readonly crashTime?: Date;
  readonly symbols: ReadonlyMap<string, bigint>;
  readonly offsets: ReadonlyMap<string, number>;
  readonly sizes: ReadonlyMap<string, number>;
  readonly lengths: ReadonlyMap<string, number>;
  readonly numbers: ReadonlyMap<string, bigint>;
  /** CONFIG_X=y lines, keyed by X */
  readonly configs: ReadonlyMap<string, string>;
  /** every other KEY=value */
  readonly other: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
}

/** Parses a number: `0x…` hex, `-?digits` decimal, else bare hex (how SYMBOL values look). */
export function parseNumber(text: string, bareHex = false): bigint | undefined {
  const t = text.trim();
  if (/^-?0x[0-9a-f]+$/i.test(t)) return t.startsWith("-") ? -BigInt(t.slice(1)) : BigInt(t);
  if (bareHex) return /^[0-9a-f]+$/i.test(t) ? BigInt(`0x${t}`) : undefined;
  if (/^-?\d+$/.test(t)) return BigInt(t);
  if (/^[0-9a-f]+$/i.test(t)) return BigInt(`0x${t}`);
  return undefined;
}

type Kind = "symbols" | "offsets" | "sizes" | "lengths" | "numbers";
/** `KIND(name)=value` prefixes, and whether their values are bare hex */
const bracketed: Record<string, { kind: Kind; bareHex: boolean }> = {
  SYMBOL: { kind: "symbols", bareHex: true },
  OFFSET: { kind: "offsets", bareHex: false },
  SIZE: { kind: "sizes", bareHex: false },
  LENGTH: { kind: "lengths", bareHex: false },
  NUMBER: { kind: "numbers", bareHex: false },
};

export function parseVmcoreinfo(raw: string): VmcoreInfo {
  const maps = {
    symbols: new Map<string, bigint>(),
    offsets: new Map<string, number>(),
    sizes: new Map<string, number>(),
    lengths: new Map<string, number>(),
    numbers: new Map<string, bigint>(),
  };
  const configs = new Map<string, string>();
  const other = new Map<string, string>();
  const warnings: string[] = [];
  for (const line of raw.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    const m = /^([A-Z]+)\((.+)\)$/.exec(key);
    const spec = m ? bracketed[m[1] as string] : undefined;
    if (m && spec) {
      const n = parseNumber(value, spec.bareHex);
      if (n === undefined) {
        warnings.push(`VMCOREINFO: ${key} is not a number (${JSON.stringify(value)})`);
        continue;
      }
      const name = m[2] as string;
      if (spec.kind === "symbols" || spec.kind === "numbers") maps[spec.kind].set(name, n);
      else maps[spec.kind].set(name, Number(n));
    } else if (key.startsWith("CONFIG_")) {
      configs.set(key.slice(7), value);
    } else {
      other.set(key, value);
    }
  }
  const info: {
    -readonly [K in keyof VmcoreInfo]: VmcoreInfo[K];
  } = { raw, ...maps, configs, other, warnings };
  const osrelease = other.get("OSRELEASE");
  if (osrelease !== undefined) info.osrelease = osrelease;
  const buildId = other.get("BUILD-ID");
  if (buildId !== undefined) info.buildId = buildId;
  const pageSize = other.get("PAGESIZE");
  if (pageSize !== undefined) {
    const n = parseNumber(pageSize);
    if (n === undefined || n <= 0n || (n & (n - 1n)) !== 0n)
      warnings.push("VMCOREINFO: PAGESIZE is not a power of two");
    else info.pageSize = Number(n);
  }
  const offset = other.get("KERNELOFFSET");
  if (offset !== undefined) {
    const n = parseNumber(offset, true);
    if (n === undefined) warnings.push("VMCOREINFO: KERNELOFFSET is not a hex number");
    else info.kernelOffset = n;
  }
  const crashTime = other.get("CRASHTIME");
  if (crashTime !== undefined) {
    const n = parseNumber(crashTime);
    const time = n === undefined ? undefined : unixTime(n);
    if (time === undefined) warnings.push("VMCOREINFO: CRASHTIME is not a time");
    else info.crashTime = time;
  }
  return info;
}

/** An empty VMCOREINFO, for dumps that carry none. */
export function emptyVmcoreinfo(): VmcoreInfo {
  return parseVmcoreinfo("");
}
