/**
 * @module kernel/unwind/orc-tables
 * The ORC tables of a running kernel, read from its memory: vmlinux's `.orc_unwind_ip` /
 * `.orc_unwind` with the `orc_lookup` block index, plus each module's tables (the caller reads
 * `struct module.arch.{orc_unwind_ip, orc_unwind, num_orcs}` with BTF offsets). Lookups follow
 * the kernel's `orc_find()` (arch/x86/kernel/unwind_orc.c).
 */
import { LazyTable } from "./lazy-table.js";
import { decodeOrcEntry, ORC_ENTRY_SIZE, ORC_LAYOUTS, type OrcLayout } from "./orc-layouts.js";
import { detectOrcVersion, type OrcVersionVerdict } from "./orc-version.js";
import type { OrcLookup, OrcMatch, OrcVersion, ReadMemory } from "./types.js";

/** `LOOKUP_BLOCK_ORDER` in orc_lookup.h: one orc_lookup slot per 256 bytes of text */
const LOOKUP_BLOCK_SHIFT = 8n;
/** sanity bounds: a kernel has a few hundred thousand entries, a module far fewer */
const MAX_ENTRIES = 4_000_000;
const MAX_LOOKUP_BLOCKS = 1 << 22;

/** one module's tables, as `struct module` holds them */
export interface OrcModuleTables {
  readonly name: string;
  /** the module's text: [textStart, textEnd) (core_layout.base .. + text_size on 6.1) */
  readonly textStart: bigint;
  readonly textEnd: bigint;
  /** mod->arch.orc_unwind_ip, orc_unwind, num_orcs */
  readonly ipTable: bigint;
  readonly entryTable: bigint;
  readonly count: number;
}

/** the vmlinux symbols the tables are found by */
export const ORC_SYMBOLS = [
  "__start_orc_unwind_ip",
  "__stop_orc_unwind_ip",
  "__start_orc_unwind",
  "orc_lookup",
  "lookup_num_blocks",
  "_stext",
  "_etext",
  "_sinittext",
  "_einittext",
] as const;

export interface OrcTablesOptions {
  readonly read: ReadMemory;
  /** a kernel symbol's address (kallsyms), or undefined */
  readonly symbol: (name: string) => bigint | undefined;
  /** utsname release, for the layout when memory does not decide it */
  readonly release?: string;
  /** forces a layout (e.g. from BTF's `struct orc_entry`) */
  readonly version?: OrcVersion;
}

/** a sorted ip table with its parallel entry table */
class Table {
  readonly ips: LazyTable;
  readonly entries: LazyTable;
  constructor(
    read: ReadMemory,
    readonly name: string,
    ipTable: bigint,
    entryTable: bigint,
    readonly count: number,
  ) {
    this.ips = new LazyTable(read, ipTable, 4, count);
    this.entries = new LazyTable(read, entryTable, ORC_ENTRY_SIZE, count);
  }

  /** `orc_ip()`: each s32 is relative to its own address */
  async ip(index: number): Promise<bigint> {
    const bytes = await this.ips.element(index);
    const rel = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true);
    return BigInt.asUintN(64, this.ips.addressOf(index) + BigInt(rel));
  }

  /** `__orc_find()`: the last entry in [first, end) whose ip ≤ target */
  async search(
    target: bigint,
    layout: OrcLayout,
    first = 0,
    end = this.count,
  ): Promise<OrcMatch | undefined> {
    let lo = first;
    let hi = end - 1;
    let found = -1;
    let foundIp = 0n;
    while (lo <= hi) {
      const mid = lo + ((hi - lo) >> 1);
      const ip = await this.ip(mid);
      if (ip <= target) {
        found = mid;
        foundIp = ip;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const entry = decodeOrcEntry(await this.entries.element(found), 0, layout);
    return { entry, start: foundIp, table: this.name };
  }
}

interface ModuleTable {
  readonly start: bigint;
  readonly end: bigint;
  readonly table: Table;
}

export class OrcTables implements OrcLookup {
  private readonly modules: ModuleTable[] = [];

  private constructor(
    private readonly read: ReadMemory,
    readonly layout: OrcLayout,
    /** why this layout was chosen */
    readonly versionEvidence: string,
    private readonly vmlinux: Table,
    private readonly text: { start: bigint; end: bigint },
    private readonly lookup: LazyTable | undefined,
    /** .init.text: no block index covers it, so the whole table is searched (as orc_find does) */
    private readonly initText?: { start: bigint; end: bigint },
  ) {}

  get version(): OrcVersion {
    return this.layout.version;
  }

  get hasModules(): boolean {
    return this.modules.length > 0;
  }

  /** vmlinux's entry count */
  get count(): number {
    return this.vmlinux.count;
  }

  /**
   * Locates vmlinux's tables from its symbols; undefined when the kernel has no ORC (a
   * frame-pointer kernel), the table symbols disagree, or the layout cannot be decided.
   */
  static async fromKernel(options: OrcTablesOptions): Promise<OrcTables | undefined> {
    const { read, symbol } = options;
    const ipStart = symbol("__start_orc_unwind_ip");
    const ipStop = symbol("__stop_orc_unwind_ip");
    const entryStart = symbol("__start_orc_unwind");
    const stext = symbol("_stext");
    const etext = symbol("_etext");
    if ([ipStart, ipStop, entryStart, stext, etext].includes(undefined)) return undefined;
    const count = Number((ipStop as bigint) - (ipStart as bigint)) / 4;
    if (!Number.isInteger(count) || count <= 0 || count > MAX_ENTRIES) return undefined;
    // the two arrays are parallel: sizes that disagree mean the symbols are not what we think
    const entryStop = symbol("__stop_orc_unwind");
    if (
      entryStop !== undefined &&
      entryStop - (entryStart as bigint) !== BigInt(count * ORC_ENTRY_SIZE)
    )
      return undefined;

    let verdict: OrcVersionVerdict | undefined;
    if (options.version !== undefined)
      verdict = { version: options.version, evidence: "given by the caller" };
    else
      verdict = await detectOrcVersion({
        read,
        symbol,
        ...(options.release === undefined ? {} : { release: options.release }),
      });
    if (verdict === undefined) return undefined;

    // the block index is an optimisation: without it, search the whole (sorted) table
    let lookup: LazyTable | undefined;
    const lookupAt = symbol("orc_lookup");
    const blocksAt = symbol("lookup_num_blocks");
    if (lookupAt !== undefined && blocksAt !== undefined) {
      const bytes = await read(blocksAt, 4).catch(() => undefined);
      const blocks = bytes && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
      if (blocks !== undefined && blocks > 1 && blocks <= MAX_LOOKUP_BLOCKS)
        lookup = new LazyTable(read, lookupAt, 4, blocks);
    }
    const initStart = symbol("_sinittext");
    const initEnd = symbol("_einittext");
    return new OrcTables(
      read,
      ORC_LAYOUTS[verdict.version],
      verdict.evidence,
      new Table(read, "vmlinux", ipStart as bigint, entryStart as bigint, count),
      { start: stext as bigint, end: etext as bigint },
      lookup,
      initStart !== undefined && initEnd !== undefined && initEnd > initStart
        ? { start: initStart, end: initEnd }
        : undefined,
    );
  }

  /** Tables built from parts, for tests and for callers that located them another way. */
  static fromParts(parts: {
    read: ReadMemory;
    version: OrcVersion;
    ipTable: bigint;
    entryTable: bigint;
    count: number;
    textStart: bigint;
    textEnd: bigint;
    lookupTable?: bigint;
    lookupBlocks?: number;
  }): OrcTables {
    const lookup =
      parts.lookupTable === undefined || parts.lookupBlocks === undefined
        ? undefined
        : new LazyTable(parts.read, parts.lookupTable, 4, parts.lookupBlocks);
    return new OrcTables(
      parts.read,
      ORC_LAYOUTS[parts.version],
      "given by the caller",
      new Table(parts.read, "vmlinux", parts.ipTable, parts.entryTable, parts.count),
      { start: parts.textStart, end: parts.textEnd },
      lookup,
    );
  }

  /** Adds a module's tables (sorted by the kernel at load time). Bad sizes are refused. */
  addModule(module: OrcModuleTables): boolean {
    const { count, textStart, textEnd } = module;
    if (!Number.isInteger(count) || count <= 0 || count > MAX_ENTRIES || textEnd <= textStart)
      return false;
    const table = new Table(this.read, module.name, module.ipTable, module.entryTable, count);
    this.modules.push({ start: textStart, end: textEnd, table });
    return true;
  }

  textOwner(ip: bigint): string | undefined {
    if (ip >= this.text.start && ip < this.text.end) return "vmlinux";
    if (this.initText && ip >= this.initText.start && ip < this.initText.end) return "vmlinux";
    return this.moduleOf(ip)?.table.name;
  }

  /** The entry covering `ip` (the caller passes ip − 1 for return addresses, as the kernel does). */
  async find(ip: bigint): Promise<OrcMatch | undefined> {
    if (ip >= this.text.start && ip < this.text.end) return this.findVmlinux(ip);
    if (this.initText && ip >= this.initText.start && ip < this.initText.end)
      return this.vmlinux.search(ip, this.layout);
    const module = this.moduleOf(ip);
    return module?.table.search(ip, this.layout);
  }

  private async findVmlinux(ip: bigint): Promise<OrcMatch | undefined> {
    if (this.lookup === undefined) return this.vmlinux.search(ip, this.layout);
    const block = Number((ip - this.text.start) >> LOOKUP_BLOCK_SHIFT);
    // the last slot is the end marker: a block past it has no entries (orc_find's own check)
    if (block >= this.lookup.count - 1) return undefined;
    const u32 = async (i: number) => {
      const b = await this.lookup?.element(i);
      return b ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0;
    };
    const start = await u32(block);
    const stop = (await u32(block + 1)) + 1;
    if (start >= this.vmlinux.count || stop > this.vmlinux.count || stop <= start) return undefined;
    return this.vmlinux.search(ip, this.layout, start, stop);
  }

  private moduleOf(ip: bigint): ModuleTable | undefined {
    return this.modules.find((m) => ip >= m.start && ip < m.end);
  }
}
