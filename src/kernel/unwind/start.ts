/**
 * @module kernel/unwind/start
 * Where an unwind begins: a CPU's saved registers (all registers known, ip is where the CPU
 * was, not a return address), or a sleeping task's `struct inactive_task_frame` at
 * `thread.sp` (pushed by __switch_to_asm: callee-saved registers, then the return address
 * into __schedule). Mirrors the kernel's `__unwind_start()`.
 */

import { hex } from "./format.js";
import { PT_REGS_MEMBERS } from "./pt-regs.js";
import type { FrameKind, PtRegName, ReadMemory, StopReason, UnwindStart } from "./types.js";

/** what the unwinder knows about the frame it is in */
export interface UnwindState {
  ip: bigint;
  sp: bigint;
  bp: bigint | undefined;
  /** every register, when they came from a CPU note or a full pt_regs */
  regs: Partial<Record<PtRegName, bigint>> | undefined;
  /** ip is an interrupted ip, not a return address: look it up as is, not at ip − 1 */
  signal: boolean;
}

export interface StartPoint {
  readonly state: UnwindState;
  /** frame 0: its kind and the slot its ip came from */
  readonly frame: { kind: FrameKind; sp: bigint };
}

const u64 = (bytes: Uint8Array, at: number) =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, true);

export async function startPoint(
  read: ReadMemory,
  start: UnwindStart,
  /** is `ip` the first byte of a function (ret_from_fork for a task never run) */
  atFunctionStart: (ip: bigint) => boolean,
): Promise<StartPoint | StopReason> {
  if (start.kind === "registers") {
    const r = start.registers;
    const ip = r.rip;
    const sp = r.rsp;
    if (ip === undefined || sp === undefined)
      return { kind: "bad-start", detail: "the saved registers have no rip or rsp" };
    // a CPU caught in user mode has no kernel stack to walk (the kernel's user_mode(regs))
    if (r.cs !== undefined && (r.cs & 3n) !== 0n)
      return {
        kind: "user-mode",
        detail: `the CPU was in user mode (cs ${r.cs.toString(16)}, rip ${hex(ip)})`,
      };
    const regs: Partial<Record<PtRegName, bigint>> = {};
    for (const name of PT_REGS_MEMBERS) if (r[name] !== undefined) regs[name] = r[name];
    return {
      state: { ip, sp, bp: r.rbp, regs, signal: true },
      frame: { kind: "registers", sp },
    };
  }
  if (start.kind === "cpu-context")
    return { kind: "bad-start", detail: "an arm64 cpu_context start given to the x86-64 unwinder" };
  const { layout, sp } = start;
  const size = layout.size ?? layout.ret_addr + 8;
  const span = Math.max(layout.bp, layout.ret_addr) + 8;
  if (layout.bp < 0 || layout.ret_addr < 0 || size < span || size > 4096)
    return { kind: "bad-start", detail: `inactive_task_frame layout is impossible (size ${size})` };
  let bytes: Uint8Array;
  try {
    bytes = await read(sp, span);
  } catch (error) {
    return {
      kind: "unreadable",
      detail: `reading the inactive_task_frame at ${hex(sp)}: ${(error as Error).message}`,
    };
  }
  const ip = u64(bytes, layout.ret_addr);
  return {
    // a task that never ran "returns" to the first byte of ret_from_fork: look that up as is
    state: {
      ip,
      sp: sp + BigInt(size),
      bp: u64(bytes, layout.bp),
      regs: undefined,
      signal: atFunctionStart(ip),
    },
    frame: { kind: "return", sp: sp + BigInt(layout.ret_addr) },
  };
}
