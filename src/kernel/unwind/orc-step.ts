/**
 * @module kernel/unwind/orc-step
 * One ORC step: from the state of a frame and its entry, the caller's state. The semantics are
 * the kernel's `unwind_next_frame()` (arch/x86/kernel/unwind_orc.c, 6.x) written as tables:
 * how each register names the CFA, how the saved rbp is found, what each frame type holds.
 */
import { hex } from "./format.js";
import { readPtRegs } from "./pt-regs.js";
import type { UnwindState } from "./start.js";
import type {
  FrameRegisters,
  OrcEntry,
  OrcRegister,
  PtRegName,
  ReadMemory,
  StopReason,
} from "./types.js";

/**
 * CFA rules. `offset`: where sp_offset is added ("before" a dereference, "after" it, or not at
 * all: the kernel takes R10/R13/DI/DX/AX as the CFA itself). SP_INDIRECT is `*sp + offset`
 * since 5.12 (87ccc826bf1c "x86/unwind/orc: Change REG_SP_INDIRECT"; unused before): the
 * IRQ-stack switch of call_on_stack(), which stores the previous rsp at the top of the IRQ
 * stack.
 */
const CFA_RULES: Partial<
  Record<
    OrcRegister,
    {
      base: (s: UnwindState) => bigint | undefined;
      deref: boolean;
      offset: "before" | "after" | "none";
    }
  >
> = {
  sp: { base: (s) => s.sp, deref: false, offset: "before" },
  bp: { base: (s) => s.bp, deref: false, offset: "before" },
  "sp-indirect": { base: (s) => s.sp, deref: true, offset: "after" },
  "bp-indirect": { base: (s) => s.bp, deref: true, offset: "before" },
  r10: { base: (s) => s.regs?.r10, deref: false, offset: "none" },
  r13: { base: (s) => s.regs?.r13, deref: false, offset: "none" },
  di: { base: (s) => s.regs?.rdi, deref: false, offset: "none" },
  dx: { base: (s) => s.regs?.rdx, deref: false, offset: "none" },
  ax: { base: (s) => s.regs?.rax, deref: false, offset: "none" },
};

/** bases of the saved rbp (bp_reg): PREV_SP is the CFA, BP the current rbp */
const BP_RULES: Partial<Record<OrcRegister, (cfa: bigint, s: UnwindState) => bigint | undefined>> =
  {
    "prev-sp": (cfa) => cfa,
    bp: (_cfa, s) => s.bp,
  };

/** offset of rip in pt_regs: an IRET frame at the CFA means pt_regs starts this far below */
const IRET_FRAME_OFFSET = 128n;

export type StepResult =
  /** a return address was read from `slot` */
  | { kind: "call"; state: UnwindState; slot: bigint }
  /** the frame saved registers at the CFA; `state` is the interrupted context */
  | { kind: "regs"; state: UnwindState; regs: FrameRegisters };

const add = (a: bigint, b: number) => BigInt.asUintN(64, a + BigInt(b));

export async function orcStep(
  read: ReadMemory,
  entry: OrcEntry,
  state: UnwindState,
  ptRegs: Record<PtRegName, number>,
): Promise<StepResult | StopReason> {
  const at = `at ip ${hex(state.ip)}`;
  const word = async (address: bigint) => {
    const b = await read(address, 8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  };

  const rule = CFA_RULES[entry.spReg];
  if (rule === undefined)
    return { kind: "bad-orc", detail: `ORC entry ${at} has sp_reg ${entry.spReg}` };
  const base = rule.base(state);
  if (base === undefined)
    return {
      kind: "register-unknown",
      detail: `the CFA ${at} is based on ${entry.spReg}, whose value is not known here`,
    };
  let cfa = rule.offset === "before" ? add(base, entry.spOffset) : base;
  if (rule.deref) cfa = await word(cfa);
  if (rule.offset === "after") cfa = add(cfa, entry.spOffset);

  let result: StepResult;
  if (entry.type === "call") {
    const slot = cfa - 8n;
    const ip = await word(slot);
    // the entry's signal bit says how the caller's ip is looked up (v2+; v1: never for CALL)
    result = {
      kind: "call",
      slot,
      state: { ip, sp: cfa, bp: state.bp, regs: undefined, signal: entry.signal },
    };
  } else if (entry.type === "regs" || entry.type === "regs-partial") {
    const full = entry.type === "regs";
    const address = full ? cfa : cfa - IRET_FRAME_OFFSET;
    const regs = await readPtRegs(read, address, full, ptRegs);
    const v = regs.values;
    result = {
      kind: "regs",
      regs,
      state: {
        ip: v.rip ?? 0n,
        sp: v.rsp ?? 0n,
        // a full pt_regs gives rbp when the entry does not say where it is (below)
        bp: full ? v.rbp : state.bp,
        // an IRET frame leaves the other registers as they were (drgn: "unchanged")
        regs: full ? { ...v } : state.regs,
        signal: entry.signal,
      },
    };
  } else {
    return { kind: "bad-orc", detail: `ORC entry ${at} has type ${entry.type}` };
  }

  // the caller's rbp: unchanged (or from the pt_regs above), else saved at base + bp_offset
  if (entry.bpReg !== "undefined") {
    const where = BP_RULES[entry.bpReg];
    if (where === undefined)
      return { kind: "bad-orc", detail: `ORC entry ${at} has bp_reg ${entry.bpReg}` };
    const bpBase = where(cfa, state);
    if (bpBase === undefined)
      return {
        kind: "register-unknown",
        detail: `rbp is saved relative to rbp ${at}, which is unknown`,
      };
    result.state.bp = await word(add(bpBase, entry.bpOffset));
  }
  return result;
}
