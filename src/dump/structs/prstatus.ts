/**
 * @module dump/structs/prstatus
 * CPU-state notes: x86-64 `struct elf_prstatus` (NT_PRSTATUS, 336 bytes; offsets measured
 * against glibc `<sys/procfs.h>`) and QEMU's `QEMUCPUState` v1 (`target/i386/arch_dump.c`).
 * The header before pr_reg (112 bytes: pr_pid at 32) is the same on every 64-bit
 * architecture; arm64's pr_reg is `struct user_pt_regs` (34 × u64), 392 bytes in all, as the
 * lab's QEMU arm64 dumps' CORE/NT_PRSTATUS notes measure.
 */

export const NT_PRSTATUS = 1;
export const PRSTATUS_SIZE = 336;
export const PRSTATUS_PID_OFFSET = 32;
export const PRSTATUS_REG_OFFSET = 112;

/** `pr_reg` (struct user_regs_struct) in order, 8 bytes each */
export const prstatusRegisters = [
  "r15",
  "r14",
  "r13",
  "r12",
  "rbp",
  "rbx",
  "r11",
  "r10",
  "r9",
  "r8",
  "rax",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "orig_rax",
  "rip",
  "cs",
  "eflags",
  "rsp",
  "ss",
  "fs_base",
  "gs_base",
  "ds",
  "es",
  "fs",
  "gs",
] as const;

/** aarch64 `struct elf_prstatus`: the same header, then pr_reg, then pr_fpvalid and padding */
export const ARM64_PRSTATUS_SIZE = 392;

/** aarch64 pr_reg (`arch/arm64/include/uapi/asm/ptrace.h: struct user_pt_regs`), 8 bytes each */
export const arm64PrstatusRegisters: readonly string[] = [
  ...Array.from({ length: 31 }, (_, i) => `x${i}`),
  "sp",
  "pc",
  "pstate",
];

/** QEMUCPUState v1: u32 version, u32 size, then these u64s */
export const qemuCpuRegisters = [
  "rax",
  "rbx",
  "rcx",
  "rdx",
  "rsi",
  "rdi",
  "rsp",
  "rbp",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
  "rip",
  "rflags",
] as const;
/** after the general registers: 10 segments of { u32 selector, limit, flags, pad; u64 base } */
export const qemuSegments = [
  "cs",
  "ds",
  "es",
  "fs",
  "gs",
  "ss",
  "ldt",
  "tr",
  "gdt",
  "idt",
] as const;
export const QEMU_GPR_OFFSET = 8;
export const QEMU_SEGMENT_SIZE = 24;
