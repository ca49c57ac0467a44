/**
 * @module kernel/modules/modules
 * The loaded modules, from the `modules` list (kernel/module/main.c) walked loop-safe: each
 * `struct module`'s name, where its core image lies (what crash's `mod` prints as BASE and
 * SIZE), its text range and ORC tables (for the unwinder) and where its kallsyms and BTF are.
 */
import { CrashlensError, checkBound } from "../../errors.js";
import { Btf } from "../btf/index.js";
import type { Kernel } from "../kernel.js";
import { type Field, findField, readField } from "../tasks/layout.js";
import { walkList } from "../tasks/list-walk.js";

/** no kernel has had thousands of modules loaded; a damaged list must not run on */
const MAX_MODULES = 65536;

export interface LoadedModule {
  /** the struct module */
  address: bigint;
  name: string;
  /** enum module_state value (0 live, 1 coming, 2 going, 3 unformed) */
  state: number;
  /** core image start and size in bytes, as crash's `mod` shows BASE and SIZE */
  base: bigint;
  size: number;
  /** executable core text: [textStart, textEnd) */
  textStart: bigint;
  textEnd: bigint;
  /** every core region, for "is this address in the module" */
  regions: { start: bigint; end: bigint }[];
  /** mod->arch ORC tables (x86-64, CONFIG_UNWINDER_ORC); absent when the build has none */
  orc?: { ipTable: bigint; entryTable: bigint; count: number };
  /** mod->kallsyms (struct mod_kallsyms *), 0 when absent */
  kallsyms: bigint;
  /** mod->btf_data and its size (CONFIG_DEBUG_INFO_BTF_MODULES); size 0 when absent */
  btfData: bigint;
  btfSize: number;
}

export interface ModuleList {
  /** ascending by base address, as crash lists them */
  modules: LoadedModule[];
  warnings: string[];
}

/** the module_memory types that make up the core image (include/linux/module.h, v6.4+) */
const CORE_MEMORY = ["MOD_TEXT", "MOD_DATA", "MOD_RODATA", "MOD_RO_AFTER_INIT"];

interface Layout {
  size: number;
  list: Field;
  name: Field;
  state: Field;
  /** v6.4+: mem[] base/size by type index; older: core_layout */
  memory:
    | {
        kind: "mem";
        array: Field;
        stride: number;
        base: number;
        size: number;
        types: Map<string, number>;
      }
    | { kind: "layout"; base: Field; size: Field; textSize?: Field };
  orc?: { count: Field; ip: Field; entries: Field };
  kallsyms?: Field;
  btfData?: Field;
  btfSize?: Field;
}

function enumValues(btf: Btf, name: string): Map<string, number> {
  const type = btf.find(`enum ${name}`);
  return new Map((type?.enumValues ?? []).map((v) => [v.name, Number(v.value)]));
}

function moduleLayout(kernel: Kernel): Promise<Layout> {
  return kernel.facet("moduleLayout", async () => {
    const btf = await kernel.btf();
    const struct = btf.find("struct module");
    if (struct?.size === undefined)
      throw new CrashlensError("not-found", "BTF has no struct module");
    const f = (...paths: string[]) => findField(btf, "module", ...paths);
    const need = (field: Field | undefined, path: string) => {
      if (field === undefined)
        throw new CrashlensError("not-found", `BTF has no member ${path} in struct module`);
      return field;
    };
    // Linux kernel commit ac3b43283923 ("module: replace module_layout with module_memory")
    // (in v6.4) replaced core_layout/init_layout with mem[MOD_MEM_NUM_TYPES]
    const mem = f("mem");
    const memBase = findField(btf, "module_memory", "base");
    const memSize = findField(btf, "module_memory", "size");
    const memStruct = btf.find("struct module_memory");
    let memory: Layout["memory"];
    if (mem !== undefined && memBase && memSize && memStruct?.size !== undefined) {
      memory = {
        kind: "mem",
        array: mem,
        stride: memStruct.size,
        base: memBase.offset,
        size: memSize.offset,
        types: enumValues(btf, "mod_mem_type"),
      };
    } else {
      memory = {
        kind: "layout",
        base: need(f("core_layout.base", "module_core"), "core_layout.base"),
        size: need(f("core_layout.size", "core_size"), "core_layout.size"),
      };
      const textSize = f("core_layout.text_size", "core_text_size");
      if (textSize !== undefined) memory.textSize = textSize;
    }
    const layout: Layout = {
      size: struct.size,
      list: need(f("list"), "list"),
      name: need(f("name"), "name"),
      state: need(f("state"), "state"),
      memory,
    };
    const count = f("arch.num_orcs");
    const ip = f("arch.orc_unwind_ip");
    const entries = f("arch.orc_unwind");
    if (count && ip && entries) layout.orc = { count, ip, entries };
    const kallsyms = f("kallsyms");
    if (kallsyms !== undefined) layout.kallsyms = kallsyms;
    const btfData = f("btf_data");
    const btfSize = f("btf_data_size");
    if (btfData && btfSize) {
      layout.btfData = btfData;
      layout.btfSize = btfSize;
    }
    return layout;
  });
}

function decodeModule(bytes: Uint8Array, address: bigint, layout: Layout): LoadedModule {
  const nameBytes = bytes.subarray(layout.name.offset, layout.name.offset + layout.name.size);
  const end = nameBytes.indexOf(0);
  const name = Buffer.from(nameBytes.subarray(0, end < 0 ? nameBytes.length : end)).toString(
    "latin1",
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let base: bigint;
  let size: number;
  let textStart: bigint;
  let textEnd: bigint;
  const regions: { start: bigint; end: bigint }[] = [];
  const memory = layout.memory;
  if (memory.kind === "mem") {
    const region = (type: number) => {
      const at = memory.array.offset + type * memory.stride;
      return {
        start: view.getBigUint64(at + memory.base, true),
        size: view.getUint32(at + memory.size, true),
      };
    };
    const text = region(memory.types.get("MOD_TEXT") ?? 0);
    base = text.start;
    textStart = text.start;
    textEnd = text.start + BigInt(text.size);
    size = 0;
    for (const type of CORE_MEMORY) {
      const index = memory.types.get(type);
      if (index === undefined) continue;
      const r = region(index);
      size += r.size;
      if (r.start !== 0n && r.size > 0)
        regions.push({ start: r.start, end: r.start + BigInt(r.size) });
    }
  } else {
    base = readField(bytes, memory.base);
    size = Number(readField(bytes, memory.size));
    textStart = base;
    textEnd =
      base + (memory.textSize === undefined ? BigInt(size) : readField(bytes, memory.textSize));
    regions.push({ start: base, end: base + BigInt(size) });
  }
  const module: LoadedModule = {
    address,
    name,
    state: Number(readField(bytes, layout.state)),
    base,
    size,
    textStart,
    textEnd,
    regions,
    kallsyms: layout.kallsyms === undefined ? 0n : readField(bytes, layout.kallsyms),
    btfData: layout.btfData === undefined ? 0n : readField(bytes, layout.btfData),
    btfSize: layout.btfSize === undefined ? 0 : Number(readField(bytes, layout.btfSize)),
  };
  if (layout.orc !== undefined) {
    const count = Number(readField(bytes, layout.orc.count));
    if (count > 0)
      module.orc = {
        ipTable: readField(bytes, layout.orc.ip),
        entryTable: readField(bytes, layout.orc.entries),
        count,
      };
  }
  return module;
}

/** Walks `modules`; a damaged list gives the modules before (and after) the damage plus warnings. */
export async function readModules(kernel: Kernel): Promise<ModuleList> {
  const head = (await kernel.symbols()).lookup("modules")?.address;
  if (head === undefined)
    throw new CrashlensError("not-found", "the modules list head is not in kallsyms");
  const layout = await moduleLayout(kernel);
  const listOffset = BigInt(layout.list.offset);
  const walk = await walkList(kernel.memory.read, head, {
    what: "modules",
    limit: MAX_MODULES,
    describe: (node) => `module at 0x${(node - listOffset).toString(16)}`,
  });
  const warnings = [...walk.warnings];
  const modules: LoadedModule[] = [];
  for (const node of walk.nodes) {
    const address = node - listOffset;
    try {
      modules.push(decodeModule(await kernel.memory.read(address, layout.size), address, layout));
    } catch (error) {
      warnings.push(
        `module at 0x${address.toString(16)} is unreadable: ${(error as Error).message}`,
      );
    }
  }
  modules.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  return { modules, warnings };
}

/** computed once per kernel (the lead wires this as `kernel.modules()`) */
export function moduleList(kernel: Kernel): Promise<ModuleList> {
  return kernel.facet("modules", () => readModules(kernel));
}

/** the module whose core image holds `address` */
export function moduleAt(list: ModuleList, address: bigint): LoadedModule | undefined {
  return list.modules.find((m) => m.regions.some((r) => address >= r.start && address < r.end));
}

/**
 * What the ORC unwinder's `addModule` takes (src/kernel/unwind/orc-tables.ts OrcModuleTables),
 * for every module with ORC tables.
 */
export function orcModuleTables(list: ModuleList): {
  name: string;
  textStart: bigint;
  textEnd: bigint;
  ipTable: bigint;
  entryTable: bigint;
  count: number;
}[] {
  return list.modules.flatMap((m) =>
    m.orc === undefined
      ? []
      : [{ name: m.name, textStart: m.textStart, textEnd: m.textEnd, ...m.orc }],
  );
}

/**
 * Where a module's BTF bytes are. do_init_module() clears `mod->btf_data` once the module is
 * live (".BTF is not SHF_ALLOC and will get removed"), so for a live module they are found
 * through kernel/bpf/btf.c's `btf_modules` list: the `struct btf` registered for it keeps
 * `data` and `data_size`. Undefined when the module has no BTF.
 */
export async function findModuleBtfData(
  kernel: Kernel,
  module: LoadedModule,
): Promise<{ address: bigint; size: number } | undefined> {
  if (module.btfData !== 0n && module.btfSize > 0)
    return { address: module.btfData, size: module.btfSize };
  const head = (await kernel.symbols()).lookup("btf_modules")?.address;
  const btf = await kernel.btf();
  const list = findField(btf, "btf_module", "list");
  const owner = findField(btf, "btf_module", "module");
  const pointer = findField(btf, "btf_module", "btf");
  const data = findField(btf, "btf", "data");
  const size = findField(btf, "btf", "data_size");
  if (head === undefined || !list || !owner || !pointer || !data || !size) return undefined;
  const walk = await walkList(kernel.memory.read, head, {
    what: "btf_modules",
    limit: MAX_MODULES,
  });
  for (const node of walk.nodes) {
    const entry = node - BigInt(list.offset);
    if ((await kernel.memory.u64(entry + BigInt(owner.offset))) !== module.address) continue;
    const registered = await kernel.memory.u64(entry + BigInt(pointer.offset));
    if (registered === 0n) return undefined;
    return {
      address: await kernel.memory.u64(registered + BigInt(data.offset)),
      size: await kernel.memory.u32(registered + BigInt(size.offset)),
    };
  }
  return undefined;
}

/**
 * A module's BTF, parsed as split BTF on vmlinux's; undefined when the module carries none
 * (built without CONFIG_DEBUG_INFO_BTF_MODULES, or out of tree without BTF).
 */
export async function readModuleBtf(
  kernel: Kernel,
  module: LoadedModule,
): Promise<Btf | undefined> {
  const found = await findModuleBtfData(kernel, module);
  if (found === undefined || found.address === 0n || found.size === 0) return undefined;
  checkBound(found.size, 64 << 20, `module ${module.name}: BTF size`);
  return Btf.parse(await kernel.memory.read(found.address, found.size), await kernel.btf());
}
