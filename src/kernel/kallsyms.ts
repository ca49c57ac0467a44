/**
 * @module kernel/kallsyms
 * The kernel's own symbol table, decoded from memory with no debuginfo: VMCOREINFO (v6.0+)
 * gives the addresses of the compressed kallsyms tables (`scripts/kallsyms.c`). Names are
 * token-compressed (a length of 1 or 2 bytes, then token bytes; the first decoded character is
 * the nm type). Addresses come in several encodings across versions; the one that reproduces
 * VMCOREINFO's SYMBOL(_stext) wins (as drgn and makedumpfile choose).
 */
import { viewOf } from "../dump/random-access.js";
import { checkBound } from "../errors.js";
import type { VmcoreInfo } from "./vmcoreinfo.js";

export interface KernelSymbol {
  name: string;
  /** nm type letter: t/T text, d/D data, b/B bss, r/R rodata, … */
  type: string;
  address: bigint;
}

const MAX_SYMBOLS = 2_000_000;
const MAX_NAMES_BYTES = 64 * 1024 * 1024;

type Read = (address: bigint, length: number) => Promise<Uint8Array>;

/** the kernel half of the x86-64/arm64 address space */
const KERNEL_HALF = 1n << 63n;

export class Kallsyms {
  /** sorted by address */
  private constructor(
    private readonly addresses: BigUint64Array,
    private readonly names: string[],
    private readonly types: string,
    readonly encoding: string,
  ) {}

  get count(): number {
    return this.names.length;
  }

  /** Decodes the tables; undefined when VMCOREINFO does not name them (kernels before 6.0). */
  static async load(info: VmcoreInfo, read: Read): Promise<Kallsyms | undefined> {
    const sym = (name: string) => info.symbols.get(name);
    const namesAt = sym("kallsyms_names");
    const numAt = sym("kallsyms_num_syms");
    const tokenTable = sym("kallsyms_token_table");
    const tokenIndex = sym("kallsyms_token_index");
    if (
      namesAt === undefined ||
      numAt === undefined ||
      tokenTable === undefined ||
      tokenIndex === undefined
    )
      return undefined;
    const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const count = dv(await read(numAt, 4)).getUint32(0, true);
    checkBound(count, MAX_SYMBOLS, "kallsyms_num_syms");

    // the 256 tokens
    const index = dv(await read(tokenIndex, 512));
    let maxOffset = 0;
    for (let i = 0; i < 256; i++) maxOffset = Math.max(maxOffset, index.getUint16(i * 2, true));
    // the last token starts at maxOffset; tokens are short, and the read must not run into
    // pages a pruned dump left out
    let table = await read(tokenTable, maxOffset + 32);
    if (table.indexOf(0, maxOffset) < 0) table = await read(tokenTable, maxOffset + 256);
    const tokens: string[] = [];
    const latin1 = new TextDecoder("latin1");
    for (let i = 0; i < 256; i++) {
      const start = index.getUint16(i * 2, true);
      const end = table.indexOf(0, start);
      tokens.push(latin1.decode(table.subarray(start, end < 0 ? table.length : end)));
    }

    // the names, read in slices until every symbol is decoded
    const names: string[] = new Array(count);
    let types = "";
    let chunk = new Uint8Array(0);
    let chunkAt = 0; // offset of chunk[0] in kallsyms_names
    let at = 0;
    const need = async (n: number) => {
      if (at + n <= chunkAt + chunk.length) return;
      checkBound(at + n, MAX_NAMES_BYTES, "kallsyms_names size");
      const rest = chunk.subarray(at - chunkAt);
      // read ahead a little; near the end of the table (or of a pruned dump) read just enough
      const from = namesAt + BigInt(at + rest.length);
      let more: Uint8Array;
      try {
        more = await read(from, Math.max(n, 16 * 1024));
      } catch {
        more = await read(from, n - rest.length);
      }
      const joined = new Uint8Array(rest.length + more.length);
      joined.set(rest);
      joined.set(more, rest.length);
      chunk = joined;
      chunkAt = at;
    };
    const typeChars: string[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > chunkAt + chunk.length) await need(2);
      let len = chunk[at - chunkAt] as number;
      let head = 1;
      if (len & 0x80) {
        len = (len & 0x7f) | ((chunk[at - chunkAt + 1] as number) << 7);
        head = 2;
      }
      if (at + head + len > chunkAt + chunk.length) await need(head + len);
      let text = "";
      for (let j = 0; j < len; j++) text += tokens[chunk[at - chunkAt + head + j] as number];
      typeChars.push(text.charAt(0));
      names[i] = text.slice(1);
      at += head + len;
    }
    types = typeChars.join("");

    const stext = sym("_stext");
    const raw = await addressCandidates(info, count, read);
    let chosen: { name: string; values: BigUint64Array } | undefined;
    const stextIndex = names.indexOf("_stext");
    for (const candidate of raw) {
      if (stext === undefined || stextIndex < 0 || candidate.values[stextIndex] === stext) {
        chosen = candidate;
        break;
      }
    }
    if (chosen === undefined) return undefined;
    // kallsyms is in address order already; sort only if it is not
    const values = chosen.values;
    let sorted = true;
    for (let i = 1; i < count && sorted; i++)
      sorted = (values[i - 1] as bigint) <= (values[i] as bigint);
    if (sorted) return new Kallsyms(values, names, types, chosen.name);
    const order = [...names.keys()].sort((a, b) => {
      const x = chosen.values[a] as bigint;
      const y = chosen.values[b] as bigint;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    const addresses = new BigUint64Array(order.map((i) => chosen.values[i] as bigint));
    return new Kallsyms(
      addresses,
      order.map((i) => names[i] as string),
      order.map((i) => types[i]).join(""),
      chosen.name,
    );
  }

  /** the symbol containing `address`, with its offset and size (distance to the next symbol) */
  symbolize(address: bigint): { name: string; offset: number; size: number } | undefined {
    let lo = 0;
    let hi = this.addresses.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.addresses[mid] as bigint) <= address) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i < 0) return undefined;
    const start = this.addresses[i] as bigint;
    // per-CPU symbols are small offsets (absolute-percpu kallsyms): they never hold a kernel
    // address, or every heap pointer would be "__per_cpu_end+0xffff…"
    if (start < KERNEL_HALF && address >= KERNEL_HALF) return undefined;
    let next = i + 1;
    while (next < this.addresses.length && this.addresses[next] === start) next++;
    // past the last symbol there is no size, and nothing proves the address belongs to it
    if (next >= this.addresses.length) return undefined;
    const size = Number((this.addresses[next] as bigint) - start);
    const offset = Number(address - start);
    if (offset >= size) return undefined;
    return { name: this.names[i] as string, offset, size };
  }

  /** first index of each name, built on the first lookup (facets look up dozens of names) */
  private byName?: Map<string, number>;

  lookup(name: string): KernelSymbol | undefined {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (let j = this.names.length - 1; j >= 0; j--) this.byName.set(this.names[j] as string, j);
    }
    const i = this.byName.get(name) ?? -1;
    return i < 0
      ? undefined
      : { name, type: this.types[i] as string, address: this.addresses[i] as bigint };
  }

  *symbols(): Iterable<KernelSymbol> {
    for (let i = 0; i < this.names.length; i++) {
      yield {
        name: this.names[i] as string,
        type: this.types[i] as string,
        address: this.addresses[i] as bigint,
      };
    }
  }
}

/** Every address encoding the tables could use, most likely first. */
async function addressCandidates(
  info: VmcoreInfo,
  count: number,
  read: Read,
): Promise<{ name: string; values: BigUint64Array }[]> {
  const out: { name: string; values: BigUint64Array }[] = [];
  const absolute = info.symbols.get("kallsyms_addresses");
  if (absolute !== undefined) {
    const bytes = await read(absolute, count * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new BigUint64Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getBigUint64(i * 8, true);
    out.push({ name: "absolute", values });
  }
  const offsetsAt = info.symbols.get("kallsyms_offsets");
  if (offsetsAt === undefined) return out;
  const bytes = await read(offsetsAt, count * 4);
  const view = viewOf(bytes);
  const baseAt = info.symbols.get("kallsyms_relative_base");
  const base =
    baseAt === undefined ? undefined : viewOf(await read(baseAt, 8)).getBigUint64(0, true);
  const make = (name: string, f: (i: number) => bigint) => {
    const values = new BigUint64Array(count);
    for (let i = 0; i < count; i++) values[i] = BigInt.asUintN(64, f(i));
    out.push({ name, values });
  };
  if (base !== undefined) {
    // absolute-percpu (x86-64 up to 6.15): non-negative = absolute, negative = base - 1 - value
    make("absolute-percpu", (i) => {
      const v = view.getInt32(i * 4, true);
      return v >= 0 ? BigInt(v) : base - 1n - BigInt(v);
    });
    make("base-relative", (i) => base + BigInt(view.getUint32(i * 4, true)));
  }
  make("place-relative", (i) => offsetsAt + BigInt(i * 4) + BigInt(view.getInt32(i * 4, true)));
  return out;
}
