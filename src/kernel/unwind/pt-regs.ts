/**
 * @module kernel/unwind/pt-regs
 * `struct pt_regs` on x86-64 (arch/x86/include/asm/ptrace.h; the same 21 words since 2.6.25)
 * and the 5-word hardware IRET frame at its end, as tables. A caller with BTF may override
 * any offset through `UnwindContext.ptRegsOffsets`.
 */
import { prstatusRegisters } from "../../dump/structs/prstatus.js";
import type { FrameRegisters, PtRegName, ReadMemory } from "./types.js";

/**
 * member order of pt_regs: member i is at byte 8 * i. NT_PRSTATUS's `pr_reg` (struct
 * user_regs_struct) begins with the same 21 words, named alike but for `eflags`.
 */
export const PT_REGS_MEMBERS: readonly PtRegName[] = prstatusRegisters
  .slice(0, 21)
  .map((name) => (name === "eflags" ? "rflags" : name) as PtRegName);

/** the kernel's member names (struct pt_regs, BTF), for callers that take offsets from BTF */
export const PT_REGS_KERNEL_NAMES: Readonly<Record<PtRegName, string>> = {
  r15: "r15",
  r14: "r14",
  r13: "r13",
  r12: "r12",
  rbp: "bp",
  rbx: "bx",
  r11: "r11",
  r10: "r10",
  r9: "r9",
  r8: "r8",
  rax: "ax",
  rcx: "cx",
  rdx: "dx",
  rsi: "si",
  rdi: "di",
  orig_rax: "orig_ax",
  rip: "ip",
  cs: "cs",
  rflags: "flags",
  rsp: "sp",
  ss: "ss",
};

export const PT_REGS_SIZE = PT_REGS_MEMBERS.length * 8;

/** what the CPU pushes on an interrupt: the tail of pt_regs from rip (REGS_PARTIAL frames) */
export const IRET_MEMBERS: readonly PtRegName[] = ["rip", "cs", "rflags", "rsp", "ss"];

export function ptRegsOffsets(
  overrides: Readonly<Partial<Record<PtRegName, number>>> = {},
): Record<PtRegName, number> {
  const out = {} as Record<PtRegName, number>;
  PT_REGS_MEMBERS.forEach((name, i) => {
    out[name] = overrides[name] ?? i * 8;
  });
  return out;
}

/**
 * Reads the pt_regs at `address`; with `full` false only the IRET members (an entry that
 * saved nothing else), whose block starts at `address + offset(rip)`.
 */
export async function readPtRegs(
  read: ReadMemory,
  address: bigint,
  full: boolean,
  offsets: Record<PtRegName, number>,
): Promise<FrameRegisters> {
  const members = full ? PT_REGS_MEMBERS : IRET_MEMBERS;
  const lo = Math.min(...members.map((m) => offsets[m]));
  const hi = Math.max(...members.map((m) => offsets[m])) + 8;
  const bytes = await read(address + BigInt(lo), hi - lo);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: Partial<Record<PtRegName, bigint>> = {};
  for (const m of members) values[m] = view.getBigUint64(offsets[m] - lo, true);
  return { address, full, values };
}

/** user mode: the saved CS has a non-zero privilege level (`user_mode()`) */
export function isUserMode(regs: FrameRegisters): boolean {
  const cs = regs.values.cs;
  return cs !== undefined && (cs & 3n) !== 0n;
}
