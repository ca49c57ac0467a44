/**
 * @module shell/symbol-index
 * kallsyms arranged for the shell: by address (which symbol holds an address, its type letter,
 * offset and size) and by name (exact lookup, and prefix search over a sorted name array, fast
 * enough for tab completion on 87k symbols). Built once per session from any symbol list, so
 * module symbols can join later through the same shape.
 */

export interface ShellSymbol {
  readonly name: string;
  /** nm type letter: t/T text, d/D data, b/B bss, r/R rodata, … */
  readonly type: string;
  readonly address: bigint;
  /** the module's name for module symbols (printed as ` [name]`) */
  readonly module?: string;
}

/** An address inside a symbol: the symbol, the offset into it and the symbol's size. */
export interface SymbolHit {
  readonly symbol: ShellSymbol;
  readonly offset: number;
  /** distance to the next symbol at a higher address */
  readonly size: number;
}

/** the lowest kernel address on x86-64 and arm64 (the top half of the 64-bit space) */
const KERNEL_HALF = 0xffff800000000000n;

const compareBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
/** global (upper-case type) before local at one address: `sym` prints the exported name */
const rank = (s: ShellSymbol) => (s.type === s.type.toUpperCase() ? 0 : 1);

export class SymbolIndex {
  /** by address, then global before local, then input order */
  private readonly byAddress: ShellSymbol[];
  /** every name once, sorted by code unit (for prefix ranges) */
  private readonly names: string[];
  private readonly byName = new Map<string, ShellSymbol>();

  constructor(symbols: Iterable<ShellSymbol>) {
    const list = [...symbols];
    const order = list.map((_, i) => i);
    order.sort((a, b) => {
      const x = list[a] as ShellSymbol;
      const y = list[b] as ShellSymbol;
      return compareBig(x.address, y.address) || rank(x) - rank(y) || a - b;
    });
    this.byAddress = order.map((i) => list[i] as ShellSymbol);
    for (const s of list) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    this.names = [...this.byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get count(): number {
    return this.byAddress.length;
  }

  /** all symbols in address order */
  all(): readonly ShellSymbol[] {
    return this.byAddress;
  }

  lookup(name: string): ShellSymbol | undefined {
    return this.byName.get(name);
  }

  /** the symbol holding `address`; undefined past the last symbol, whose size is unknown */
  find(address: bigint): SymbolHit | undefined {
    const i = this.lastAtOrBelow(address);
    if (i < 0) return undefined;
    const start = (this.byAddress[i] as ShellSymbol).address;
    let first = i;
    while (first > 0 && (this.byAddress[first - 1] as ShellSymbol).address === start) first--;
    let next = i + 1;
    while (next < this.byAddress.length && (this.byAddress[next] as ShellSymbol).address === start)
      next++;
    const following = this.byAddress[next];
    if (following === undefined) return undefined;
    const size = following.address - start;
    const offset = address - start;
    if (offset >= size) return undefined;
    return {
      symbol: this.byAddress[first] as ShellSymbol,
      offset: Number(offset),
      size: Number(size),
    };
  }

  /**
   * As `find`, for values that may not be addresses at all (`rd -s`, branch targets): only
   * the kernel half of the address space counts, so small numbers are not named after the
   * per-CPU symbols, which kallsyms lists as offsets from 0.
   */
  findKernel(value: bigint): SymbolHit | undefined {
    if (value < KERNEL_HALF) return undefined;
    const hit = this.find(value);
    return hit !== undefined && hit.symbol.address >= KERNEL_HALF ? hit : undefined;
  }

  /** the first symbol at a higher address than `symbol` (crash's `sym -n`) */
  next(symbol: ShellSymbol): ShellSymbol | undefined {
    const i = this.lastAtOrBelow(symbol.address);
    for (let j = i + 1; j < this.byAddress.length; j++) {
      const s = this.byAddress[j] as ShellSymbol;
      if (s.address > symbol.address) return s;
    }
    return undefined;
  }

  /** the last symbol at a lower address than `symbol` (crash's `sym -p`) */
  previous(symbol: ShellSymbol): ShellSymbol | undefined {
    for (let j = this.lastAtOrBelow(symbol.address); j >= 0; j--) {
      const s = this.byAddress[j] as ShellSymbol;
      if (s.address < symbol.address) {
        let first = j;
        while (first > 0 && (this.byAddress[first - 1] as ShellSymbol).address === s.address)
          first--;
        return this.byAddress[first];
      }
    }
    return undefined;
  }

  /** names starting with `prefix`, sorted; `limit` caps the list, `total` says how many match */
  withPrefix(prefix: string, limit = Number.POSITIVE_INFINITY): { names: string[]; total: number } {
    const lo = this.lowerBound(prefix);
    // every name with the prefix sorts before prefix + U+FFFF
    const hi = this.lowerBound(`${prefix}\uffff`);
    const total = hi - lo;
    return { names: this.names.slice(lo, lo + Math.min(total, limit)), total };
  }

  /** the longest common prefix of every name starting with `prefix` (first and last suffice) */
  commonPrefix(prefix: string): string {
    const lo = this.lowerBound(prefix);
    const hi = this.lowerBound(`${prefix}\uffff`);
    if (hi <= lo) return prefix;
    const a = this.names[lo] as string;
    const b = this.names[hi - 1] as string;
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return a.slice(0, n);
  }

  /** symbols whose name contains `text`, in address order (crash's `sym -q`) */
  containing(text: string): ShellSymbol[] {
    return this.byAddress.filter((s) => s.name.includes(text));
  }

  private lowerBound(name: string): number {
    let lo = 0;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.names[mid] as string) < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lastAtOrBelow(address: bigint): number {
    let lo = 0;
    let hi = this.byAddress.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.byAddress[mid] as ShellSymbol).address <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
