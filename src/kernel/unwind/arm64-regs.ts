/**
 * @module kernel/unwind/arm64-regs
 * arm64's pieces of an unwind that are data, not control flow: `struct pt_regs` as saved by
 * the exception entry code (arch/arm64/include/asm/ptrace.h; offsets from BTF, these
 * defaults are v5.19–v6.12's), pointer-authentication stripping of saved return addresses,
 * PSTATE's exception level, and the `bl`/`blr` encodings a return address follows.
 */
import type { Arm64PtRegsLayout, Arm64RegName, FrameRegisters, ReadMemory } from "./types.js";

/** v6.1's layout (sizeof 0x150): regs[31], sp, pc, pstate, orig_x0, syscallno, …, stackframe */
export const ARM64_PT_REGS_DEFAULT: Arm64PtRegsLayout = {
  regs: 0,
  sp: 0xf8,
  pc: 0x100,
  pstate: 0x108,
  orig_x0: 0x110,
  syscallno: 0x118,
  stackframe: 0x130,
  size: 0x150,
};

/** arm64's THREAD_SIZE with 4 KiB pages and no KASAN (arch/arm64/include/asm/memory.h) */
export const ARM64_DEFAULT_THREAD_SIZE = 0x4000n;

/**
 * Strips a pointer-authentication code: kernel pointers (bit 55 set) get the PAC bits set
 * back to ones, user pointers cleared (the kernel's `ptrauth_strip_kernel_insn_pac()`).
 * A zero mask (no PAC, or a kernel that does not say) leaves the value as it is.
 */
export function stripPac(value: bigint, pacMask: bigint): bigint {
  if (pacMask === 0n) return value;
  return (value >> 55n) & 1n ? BigInt.asUintN(64, value | pacMask) : value & ~pacMask;
}

/** PSTATE.M[3:2]: the exception level the registers were saved at */
export function exceptionLevel(pstate: bigint): number {
  return Number((pstate >> 2n) & 3n);
}

/** AArch32 state (PSTATE.M[4]) is user mode too: the kernel never runs there */
export function isUserPstate(pstate: bigint): boolean {
  return exceptionLevel(pstate) === 0 || ((pstate >> 4n) & 1n) === 1n;
}

/** members read from a saved pt_regs, in crash's order of printing */
const SCALARS = ["sp", "pc", "pstate", "orig_x0"] as const;

/** Reads an arm64 pt_regs at `address` (x0..x30, sp, pc, pstate, orig_x0, syscallno). */
export async function readArm64PtRegs(
  read: ReadMemory,
  address: bigint,
  layout: Arm64PtRegsLayout,
): Promise<FrameRegisters> {
  const bytes = await read(address, layout.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: Partial<Record<Arm64RegName, bigint>> = {};
  const u64 = (at: number) => view.getBigUint64(at, true);
  for (let i = 0; i <= 30; i++) values[`x${i}`] = u64(layout.regs + i * 8);
  for (const name of SCALARS) {
    const at = layout[name];
    if (at !== undefined && at + 8 <= layout.size) values[name] = u64(at);
  }
  // syscallno is an s32 (v5.0+); -1 = no syscall, which crash prints sign-extended
  if (layout.syscallno !== undefined && layout.syscallno + 4 <= layout.size)
    values.syscallno = BigInt.asUintN(64, BigInt(view.getInt32(layout.syscallno, true)));
  return { address, full: true, values, arch: "arm64" };
}

/** user-mode registers: EL0 (or AArch32), and not the zeroed pt_regs at a kthread's top */
export function isUserRegs(regs: FrameRegisters): boolean {
  const { pstate, pc, sp } = regs.values;
  return pstate !== undefined && isUserPstate(pstate) && (pc !== 0n || sp !== 0n);
}

/**
 * Is the 32-bit word before a return address a call? `bl imm26`, and `blr`/`blraa`/`blrab`/
 * `blraaz`/`blrabz` (Xn in bits 9..5, Xm in 4..0 for the authenticated forms).
 */
export function isCallInstruction(insn: number): boolean {
  if ((insn & 0xfc000000) >>> 0 === 0x94000000) return true; // BL
  if ((insn & 0xfffffc1f) >>> 0 === 0xd63f0000) return true; // BLR
  if ((insn & 0xfffff800) >>> 0 === 0xd63f0800) return true; // BLRAAZ, BLRABZ
  if ((insn & 0xfffff800) >>> 0 === 0xd73f0800) return true; // BLRAA, BLRAB
  return false;
}

/** true when the instruction before `ret` is a branch-and-link */
export async function followsArm64Call(read: ReadMemory, ret: bigint): Promise<boolean> {
  if ((ret & 3n) !== 0n) return false;
  try {
    const bytes = await read(ret - 4n, 4);
    return isCallInstruction(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true));
  } catch {
    return false;
  }
}
