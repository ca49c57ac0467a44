/**
 * @module kernel/arch/types
 * What differs between architectures when reading a dump without debuginfo, as one record
 * per architecture (drgn's `arch_info_x86_64`, `arch_info_aarch64`): how to recognise the
 * dump, how to translate kernel virtual addresses, where NT_PRSTATUS keeps the registers and
 * which of them are the program counter, stack pointer, frame pointer and link register.
 */
import type { Dump, ElfNote, Fact } from "../../dump/types.js";
import type { VmcoreInfo } from "../vmcoreinfo.js";

/** Kernel virtual → physical, for one kernel. */
export interface Translator {
  /** the kernel's page size (VMCOREINFO PAGESIZE), not the dump's block size */
  readonly pageSize: number;
  /** The physical address of `va`, or a `fault` error. */
  translate(va: bigint): Promise<bigint>;
  /** whether `va` is in the kernel-image mapping (text, data, bss, static buffers) */
  inKernelImage(va: bigint): boolean;
  /** how many bytes from `va` stay physically contiguous without another lookup */
  contiguousSpan(va: bigint): bigint;
}

/** What `Arch.open` learns from VMCOREINFO and the dump. */
export interface ArchMemory {
  readonly translator: Translator;
  /** x86-64 phys_base; arm64 PHYS_OFFSET (the start of RAM the linear map begins at) */
  readonly physBase: bigint;
  /** `va = directMapBase + pa` in the direct (linear) map, when known */
  readonly directMapBase?: bigint;
  /** problems met (each names the field or table it is about) */
  readonly warnings: readonly string[];
  /** what `info` shows about the memory layout (x86-64 phys_base, arm64 kimage_voffset, …) */
  readonly facts: readonly Fact[];
}

export interface ArchOpenOptions {
  /** walk the page tables for every page, also where a formula would do (for `extract`) */
  readonly walkAll?: boolean;
}

/** Evidence a dump gives about its architecture, strongest first. */
export interface ArchEvidence {
  /** ELF e_machine, when the dump is an ELF core */
  readonly elfMachine?: number;
  readonly vmcoreinfo: VmcoreInfo;
  /** the dump header's utsname machine (kdump-compressed), which QEMU sets to "Unknown" */
  readonly headerMachine?: string;
  readonly notes: readonly ElfNote[];
}

/** Where `struct elf_prstatus` keeps the pid and the general registers. */
export interface PrstatusLayout {
  /** sizeof(struct elf_prstatus) */
  readonly size: number;
  readonly pidOffset: number;
  /** offset of pr_reg */
  readonly regOffset: number;
  /** pr_reg in order, 8 bytes each */
  readonly registers: readonly string[];
  /** whether QEMU also writes its `QEMU` CPU-state note (type 0) for this architecture */
  readonly qemuCpuState: boolean;
}

/** Names (keys of `CpuState.registers`) of the registers every unwinder and display needs. */
export interface RegisterRoles {
  readonly pc: string;
  readonly sp: string;
  readonly fp: string;
  /** the link register, where the architecture has one */
  readonly lr?: string;
}

export interface Arch {
  /** our name, as the kernel's `ARCH=` spells it */
  readonly name: "x86_64" | "arm64";
  /** utsname machine (`uname -m`) */
  readonly machine: string;
  /** other spellings of the machine a header may use */
  readonly machineAliases: readonly string[];
  /** ELF e_machine */
  readonly elfMachine: number;
  /** whether VMCOREINFO has entries only this architecture writes (`arch_crash_save_vmcoreinfo`) */
  readonly vmcoreinfoSays: (info: VmcoreInfo) => boolean;
  readonly prstatus: PrstatusLayout;
  readonly registers: RegisterRoles;
  /** labels for `info`'s per-CPU line: [pc, sp] as this architecture's manuals name them */
  readonly displayNames: readonly [string, string];
  /** builds the address translator from VMCOREINFO and the dump */
  open(dump: Dump, info: VmcoreInfo, options: ArchOpenOptions): Promise<ArchMemory>;
}
