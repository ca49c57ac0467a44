/**
 * @module kernel/modules/module-symbols
 * Module symbols from the module's own kallsyms (`mod->kallsyms`: an Elf64_Sym array, its
 * string table and, since v5.2, a type-letter table; kernel/module/kallsyms.c), and one
 * `symbolize(address)` over vmlinux kallsyms and every module, returning the module's name
 * for module text, as crash prints `name+off [module]`.
 */
import type { Kallsyms } from "../kallsyms.js";
import type { Kernel } from "../kernel.js";
import { findField } from "../tasks/layout.js";
import { type LoadedModule, type ModuleList, moduleAt, moduleList } from "./modules.js";

/** Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64 */
const ELF64_SYM_SIZE = 24;
/** a module with more symbols than this is not a module but damaged memory */
const MAX_MODULE_SYMBOLS = 1_000_000;
/** KSYM_NAME_LEN (512 since v6.1) bounds each name */
const MAX_NAME = 512;
/** the most string-table bytes read in one piece */
const MAX_STRTAB = 16 << 20;

export interface ModuleSymbol {
  name: string;
  /** nm type letter */
  type: string;
  address: bigint;
  size: number;
  module: string;
}

export interface Symbolized {
  name: string;
  offset: number;
  size: number;
  /** set for module symbols */
  module?: string;
}

/** Reads one module's kallsyms; [] when it has none, throws when its tables are unreadable. */
export async function readModuleSymbols(
  kernel: Kernel,
  module: LoadedModule,
): Promise<ModuleSymbol[]> {
  if (module.kallsyms === 0n) return [];
  const btf = await kernel.btf();
  const symtabAt = findField(btf, "mod_kallsyms", "symtab");
  const numAt = findField(btf, "mod_kallsyms", "num_symtab");
  const strtabAt = findField(btf, "mod_kallsyms", "strtab");
  // Linux kernel commit 1c7651f43777 ("kallsyms: store type information in its own array")
  // (in v5.2); before it st_info held the type letter
  const typetabAt = findField(btf, "mod_kallsyms", "typetab");
  if (symtabAt === undefined || numAt === undefined || strtabAt === undefined) return [];
  const m = kernel.memory;
  const symtab = await m.u64(module.kallsyms + BigInt(symtabAt.offset));
  const count = await m.u32(module.kallsyms + BigInt(numAt.offset));
  const strtab = await m.u64(module.kallsyms + BigInt(strtabAt.offset));
  const typetab =
    typetabAt === undefined ? 0n : await m.u64(module.kallsyms + BigInt(typetabAt.offset));
  if (count === 0 || symtab === 0n || strtab === 0n || count > MAX_MODULE_SYMBOLS) return [];
  const raw = await m.read(symtab, count * ELF64_SYM_SIZE);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const types = typetab === 0n ? undefined : await m.read(typetab, count);
  let maxName = 0;
  for (let i = 0; i < count; i++) maxName = Math.max(maxName, view.getUint32(i * 24, true));
  let strings: Uint8Array | undefined;
  if (maxName + MAX_NAME <= MAX_STRTAB)
    strings = await m.read(strtab, maxName + MAX_NAME).catch(() => undefined);
  const out: ModuleSymbol[] = [];
  for (let i = 1; i < count; i++) {
    const at = i * ELF64_SYM_SIZE;
    const shndx = view.getUint16(at + 6, true);
    const value = view.getBigUint64(at + 8, true);
    if (shndx === 0 || value === 0n) continue; // SHN_UNDEF
    const nameOffset = view.getUint32(at, true);
    let name: string;
    if (strings !== undefined) {
      const end = strings.indexOf(0, nameOffset);
      name = Buffer.from(
        strings.subarray(nameOffset, end < 0 ? nameOffset + MAX_NAME : end),
      ).toString("latin1");
    } else name = await m.cString(strtab + BigInt(nameOffset), MAX_NAME).catch(() => "");
    // ARM ELF mapping symbols ($x code, $d data) mark instruction sets, not functions
    if (name === "" || MAPPING_SYMBOL.test(name)) continue;
    const type = String.fromCharCode(
      types !== undefined ? (types[i] as number) : view.getUint8(at + 4),
    );
    out.push({
      name,
      type,
      address: value,
      size: Number(view.getBigUint64(at + 16, true)),
      module: module.name,
    });
  }
  out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return out;
}

/** AAELF64 mapping symbols: `$x`, `$d` (optionally `.suffix`); no x86-64 module has them */
const MAPPING_SYMBOL = /^\$[adtx](?:\.|$)/;

/** vmlinux kallsyms plus every module's symbols: one place to turn an address into a name */
export class KernelSymbolizer {
  /** [_text, _end): vmlinux symbols name only addresses in the image (per-CPU symbols are
   * small absolute offsets, so the last of them would otherwise "hold" every heap address) */
  private readonly image: { start: bigint; end: bigint } | undefined;

  constructor(
    private readonly kallsyms: Kallsyms,
    private readonly modules: ModuleList,
    /** by module name, sorted by address */
    private readonly moduleSymbols: ReadonlyMap<string, readonly ModuleSymbol[]>,
    readonly warnings: readonly string[],
  ) {
    const start = (kallsyms.lookup("_text") ?? kallsyms.lookup("_stext"))?.address;
    const end = kallsyms.lookup("_end")?.address;
    this.image =
      start !== undefined && end !== undefined && end > start ? { start, end } : undefined;
  }

  /** `name+offset` and, for module addresses, the module's name */
  symbolize(address: bigint): Symbolized | undefined {
    const module = moduleAt(this.modules, address);
    if (module === undefined) {
      if (this.image !== undefined && (address < this.image.start || address >= this.image.end))
        return undefined;
      const hit = this.kallsyms.symbolize(address);
      return hit === undefined ? undefined : { ...hit };
    }
    const symbols = this.moduleSymbols.get(module.name) ?? [];
    let lo = 0;
    let hi = symbols.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((symbols[mid] as ModuleSymbol).address <= address) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return undefined;
    // several symbols can share an address (a function and its alias): prefer text, then size
    let best = symbols[lo - 1] as ModuleSymbol;
    for (let i = lo - 2; i >= 0 && (symbols[i] as ModuleSymbol).address === best.address; i--) {
      const s = symbols[i] as ModuleSymbol;
      const text = (x: ModuleSymbol) => (/^[tT]$/.test(x.type) ? 1 : 0);
      if (text(s) > text(best) || (text(s) === text(best) && s.size > best.size)) best = s;
    }
    let next = lo;
    while (next < symbols.length && (symbols[next] as ModuleSymbol).address === best.address)
      next++;
    const following = symbols[next];
    const size =
      best.size > 0
        ? best.size
        : following !== undefined
          ? Number(following.address - best.address)
          : Number(module.textEnd > address ? module.textEnd - best.address : 0n);
    return { name: best.name, offset: Number(address - best.address), size, module: module.name };
  }

  /** every module symbol, for the shell's symbol index (`sym`, completion) */
  *symbols(): Iterable<ModuleSymbol> {
    for (const list of this.moduleSymbols.values()) yield* list;
  }
}

/** The combined symbolizer, built once per kernel (the lead may wire it as `kernel.symbolizer()`). */
export function kernelSymbolizer(kernel: Kernel): Promise<KernelSymbolizer> {
  return kernel.facet("symbolizer", async () => {
    const kallsyms = await kernel.symbols();
    const list = await moduleList(kernel).catch(
      (error: Error): ModuleList => ({ modules: [], warnings: [error.message] }),
    );
    const warnings = [...list.warnings];
    const byModule = new Map<string, ModuleSymbol[]>();
    for (const module of list.modules) {
      try {
        byModule.set(module.name, await readModuleSymbols(kernel, module));
      } catch (error) {
        warnings.push(`module ${module.name}: kallsyms unreadable: ${(error as Error).message}`);
      }
    }
    return new KernelSymbolizer(kallsyms, list, byModule, warnings);
  });
}
