/**
 * @module kernel/arch/arm64
 * The arm64 (AArch64) record: `EM_AARCH64`, the VMCOREINFO entries of
 * `arch/arm64/kernel/crash_core.c: arch_crash_save_vmcoreinfo()` (`NUMBER(VA_BITS)`,
 * `NUMBER(kimage_voffset)`, `NUMBER(PHYS_OFFSET)`, `NUMBER(TCR_EL1_T1SZ)`, `KERNELOFFSET`),
 * the 392-byte `struct elf_prstatus` (pr_reg = `struct user_pt_regs`: x0–x30, sp, pc,
 * pstate) and the translator of `arm64-translator.ts`.
 */
import { hex } from "../../dump/paged-memory.js";
import {
  ARM64_PRSTATUS_SIZE,
  arm64PrstatusRegisters,
  PRSTATUS_PID_OFFSET,
  PRSTATUS_REG_OFFSET,
} from "../../dump/structs/prstatus.js";
import type { Dump, Fact } from "../../dump/types.js";
import type { VmcoreInfo } from "../vmcoreinfo.js";
import { type Arm64Config, Arm64Translator } from "./arm64-translator.js";
import type { Arch, ArchMemory, ArchOpenOptions } from "./types.js";

const granules: Record<number, number> = { 4096: 12, 16384: 14, 65536: 16 };

/** The translator's settings from VMCOREINFO; what is missing or odd becomes a warning. */
export function arm64Config(
  info: VmcoreInfo,
  warnings: string[],
  fallbackPhysOffset?: bigint,
): Arm64Config | undefined {
  const vaBits = info.numbers.get("VA_BITS");
  if (vaBits === undefined || vaBits < 36n || vaBits > 52n) {
    warnings.push(
      `VMCOREINFO: NUMBER(VA_BITS) is ${vaBits === undefined ? "missing" : `${vaBits}, not 36–52`}; arm64 addresses cannot be translated`,
    );
    return undefined;
  }
  const pageShift = granules[info.pageSize ?? 4096];
  if (pageShift === undefined) {
    warnings.push(
      `VMCOREINFO: PAGESIZE ${info.pageSize} is not an arm64 granule (4, 16 or 64 KiB)`,
    );
    return undefined;
  }
  const t1sz = info.numbers.get("TCR_EL1_T1SZ");
  // Linux kernel commit bbdbc11804ff ("arm64/crash_core: Export TCR_EL1.T1SZ in vmcoreinfo")
  // (in v5.9); before it the hardware used VA_BITS (52-bit kernels then needed 52-bit hardware)
  const vaBitsActual =
    t1sz !== undefined && t1sz > 0n && t1sz < 64n ? 64 - Number(t1sz) : Number(vaBits);
  let physOffset = info.numbers.get("PHYS_OFFSET");
  if (physOffset === undefined) {
    warnings.push(
      "VMCOREINFO: NUMBER(PHYS_OFFSET) is missing (kernels before v4.19 did not write it); using the dump header's phys_base",
    );
    physOffset = fallbackPhysOffset ?? 0n;
  }
  const stext = info.symbols.get("_stext");
  // feature, not version: after the flip the image (and vmalloc) sits in the upper half of the
  // kernel VA range and the linear map below it; before, the other way round
  const flipped = stext === undefined ? true : ((stext >> (vaBits - 1n)) & 1n) === 1n;
  const config: { -readonly [K in keyof Arm64Config]: Arm64Config[K] } = {
    vaBits: Number(vaBits),
    vaBitsActual,
    pageShift,
    physBits: Number(info.numbers.get("MAX_PHYSMEM_BITS") ?? 48n),
    physOffset: BigInt.asUintN(64, physOffset),
    flipped,
  };
  const voffset = info.numbers.get("kimage_voffset");
  if (voffset !== undefined) config.kimageVoffset = BigInt.asUintN(64, voffset);
  // _text is 2 MiB aligned (KASLR moves it in 2 MiB steps); _stext follows the image header
  if (stext !== undefined) config.imageStart = stext & ~((1n << 21n) - 1n);
  const swapper = info.symbols.get("swapper_pg_dir");
  if (swapper !== undefined) config.swapperPgDir = swapper;
  return config;
}

async function open(dump: Dump, info: VmcoreInfo, options: ArchOpenOptions): Promise<ArchMemory> {
  const warnings: string[] = [];
  // without VMCOREINFO at all, openKernel has said so already: no second warning
  const config = arm64Config(info, info.raw === "" ? [] : warnings, dump.hints().physBase) ?? {
    // without VA_BITS nothing virtual can be read; a 48-bit 4 KiB layout keeps the types whole
    vaBits: 48,
    vaBitsActual: 48,
    pageShift: 12,
    physBits: 48,
    physOffset: dump.hints().physBase ?? 0n,
    flipped: true,
  };
  const translator = new Arm64Translator(dump, {
    ...config,
    ...(options.walkAll === true ? { walkAll: true } : {}),
  });
  const vaBits = info.numbers.get("VA_BITS");
  const voffset = info.numbers.get("kimage_voffset");
  const facts: Fact[] = [
    {
      key: "vaBits",
      label: "VA_BITS",
      value: vaBits === undefined ? undefined : Number(vaBits),
      ...(vaBits !== undefined && BigInt(config.vaBitsActual) !== vaBits
        ? { text: `${vaBits} (${config.vaBitsActual} in use, TCR_EL1_T1SZ)` }
        : {}),
    },
    {
      key: "kimageVoffset",
      label: "kimage_voffset",
      value: voffset === undefined ? undefined : hex(BigInt.asUintN(64, voffset)),
    },
    { key: "physOffset", label: "PHYS_OFFSET", value: hex(config.physOffset) },
    { key: "pageOffset", label: "PAGE_OFFSET", value: hex(translator.pageOffset) },
    {
      key: "pageTableLevels",
      label: "page-table levels",
      value: translator.levels,
      text: `${translator.levels} (${translator.pageSize / 1024} KiB granule)`,
    },
  ];
  return {
    translator,
    physBase: config.physOffset,
    directMapBase: translator.directMapBase,
    warnings,
    facts,
  };
}

export const arm64: Arch = {
  name: "arm64",
  machine: "aarch64",
  machineAliases: ["arm64"],
  elfMachine: 183, // EM_AARCH64
  vmcoreinfoSays: (info) =>
    info.numbers.has("kimage_voffset") ||
    info.numbers.has("TCR_EL1_T1SZ") ||
    info.numbers.has("KERNELPACMASK") ||
    (info.numbers.has("VA_BITS") && info.numbers.has("PHYS_OFFSET")),
  prstatus: {
    size: ARM64_PRSTATUS_SIZE,
    pidOffset: PRSTATUS_PID_OFFSET,
    regOffset: PRSTATUS_REG_OFFSET,
    registers: arm64PrstatusRegisters,
    qemuCpuState: false,
  },
  registers: { pc: "pc", sp: "sp", fp: "x29", lr: "x30" },
  displayNames: ["PC", "SP"],
  open,
};
