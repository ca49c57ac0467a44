/**
 * @module kernel/modules
 * Loaded modules from the dump: the `modules` list, each module's core image, text and ORC
 * tables, its own kallsyms and split BTF, and one symbolizer over vmlinux and modules.
 */
export {
  KernelSymbolizer,
  kernelSymbolizer,
  type ModuleSymbol,
  readModuleSymbols,
  type Symbolized,
} from "./module-symbols.js";
export {
  findModuleBtfData,
  type LoadedModule,
  type ModuleList,
  moduleAt,
  moduleList,
  orcModuleTables,
  readModuleBtf,
  readModules,
} from "./modules.js";
