/**
 * @module kernel/arch/x86-64
 * The x86-64 record: `EM_X86_64`, VMCOREINFO's `NUMBER(phys_base)`/`SYMBOL(init_top_pgt)`,
 * the 336-byte `struct elf_prstatus`, and the translator of `x86-64-translator.ts` with the
 * direct map's base checked against (or found by walking) the page tables.
 */
import { hex } from "../../dump/paged-memory.js";
import {
  PRSTATUS_PID_OFFSET,
  PRSTATUS_REG_OFFSET,
  PRSTATUS_SIZE,
  prstatusRegisters,
} from "../../dump/structs/prstatus.js";
import type { Dump, Fact } from "../../dump/types.js";
import type { VmcoreInfo } from "../vmcoreinfo.js";
import type { Arch, ArchMemory, ArchOpenOptions } from "./types.js";
import { X86Translator } from "./x86-64-translator.js";

/** NUMBER(phys_base) first; else what the dump's headers say (ELF text segment, kdump sub-header). */
function findPhysBase(dump: Dump, info: VmcoreInfo): bigint {
  return info.numbers.get("phys_base") ?? dump.hints().physBase ?? 0n;
}

async function open(dump: Dump, info: VmcoreInfo, options: ArchOpenOptions): Promise<ArchMemory> {
  const warnings: string[] = [];
  const physBase = findPhysBase(dump, info);
  const translator = new X86Translator(dump, {
    physBase,
    topPgt:
      info.symbols.get("init_top_pgt") ??
      info.symbols.get("init_level4_pgt") ??
      info.symbols.get("swapper_pg_dir"),
    levels: info.numbers.get("pgtable_l5_enabled") === 1n ? 5 : 4,
    smeMask: info.numbers.get("sme_mask") ?? 0n,
    physicalEnd: dump.ranges().reduce((end, r) => (r.end > end ? r.end : end), 0n),
    ...(info.numbers.has("KERNEL_IMAGE_SIZE")
      ? { kernelImageSize: info.numbers.get("KERNEL_IMAGE_SIZE") as bigint }
      : {}),
    ...(dump.directMapBase !== undefined ? { directMapBase: dump.directMapBase } : {}),
    ...(options.walkAll === true ? { walkAll: true } : {}),
  });
  const known = info.raw !== "";
  let directMapBase = dump.directMapBase;
  if (directMapBase !== undefined && known) {
    // the headers' guess must agree with the page tables (QEMU paging mode lists other mappings too)
    const probe = dump.ranges()[0]?.start ?? 0n;
    const verdict = await translator.checkMapping(directMapBase + probe, probe);
    if (verdict === false) {
      warnings.push(
        `${dump.path}: PT_LOAD p_vaddr suggest page_offset_base ${hex(directMapBase)}, but the page tables disagree; walking them instead`,
      );
      delete translator.config.directMapBase;
      directMapBase = await translator.findDirectMap();
    }
  } else if (known) {
    directMapBase = await translator.findDirectMap();
  }
  if (directMapBase !== undefined) translator.config.directMapBase = directMapBase;
  const facts: Fact[] = [
    // phys_base is negative when the kernel runs below its link address: shown as u64
    { key: "physBase", label: "phys_base", value: hex(BigInt.asUintN(64, physBase)) },
    {
      key: "pageOffsetBase",
      label: "page_offset_base",
      value: directMapBase === undefined ? undefined : hex(directMapBase),
    },
    {
      key: "fiveLevelPaging",
      label: "5-level paging",
      value: info.numbers.get("pgtable_l5_enabled") === 1n,
    },
  ];
  return directMapBase === undefined
    ? { translator, physBase, warnings, facts }
    : { translator, physBase, directMapBase, warnings, facts };
}

export const x86_64: Arch = {
  name: "x86_64",
  machine: "x86_64",
  machineAliases: ["amd64", "x86-64"],
  elfMachine: 62, // EM_X86_64
  // arch/x86/kernel/crash_core_64.c: arch_crash_save_vmcoreinfo()
  vmcoreinfoSays: (info) =>
    info.numbers.has("phys_base") ||
    info.symbols.has("init_top_pgt") ||
    info.symbols.has("init_level4_pgt") ||
    info.numbers.has("pgtable_l5_enabled"),
  prstatus: {
    size: PRSTATUS_SIZE,
    pidOffset: PRSTATUS_PID_OFFSET,
    regOffset: PRSTATUS_REG_OFFSET,
    registers: prstatusRegisters,
    qemuCpuState: true,
  },
  registers: { pc: "rip", sp: "rsp", fp: "rbp" },
  displayNames: ["RIP", "RSP"],
  open,
};
