/**
 * @module diagnose/rules/null-deref
 * A fault below the first page is a NULL pointer plus a field offset: names the register that
 * held NULL and the offset of the field that was accessed.
 */
import type { Rule } from "../types.js";
import { NULL_LIMIT, nullAccess, signedFaultAddress } from "../util/null-access.js";
import { hex, registerLine, registerValue } from "../util/registers.js";

const ACCESS_WORDS: Record<string, string> = {
  write: "a write to",
  read: "a read of",
  "read-write": "a read-modify-write of",
};

/** What an offset from NULL points at; a negative one comes from container_of() on NULL. */
function fieldWords(offset: bigint): string {
  if (offset >= 0n) return `the field at offset ${hex(offset)} of the structure it should point to`;
  return `memory ${hex(-offset)} bytes before it (container_of() applied to a NULL member pointer gives such negative offsets)`;
}

/** The instruction's base register is known and is not in the first page: no NULL at all. */
function baseIsNotNull(
  report: Parameters<typeof nullAccess>[0],
  instruction: Parameters<typeof nullAccess>[1],
): boolean {
  const base = instruction?.base;
  const value = base ? registerValue(report, base) : undefined;
  return value !== undefined && value !== 0n && !instruction?.trapOnly;
}

/** A memory operand with no base register, or one relative to the instruction pointer. */
function addressFromInstruction(instruction: Parameters<typeof nullAccess>[1]): boolean {
  if (!instruction || instruction.trapOnly || instruction.displacement === undefined) return false;
  const base = instruction.base;
  return (!base && !instruction.index) || /^(?:rip|eip|pc)$/.test(base ?? "");
}

export const nullDeref: Rule = {
  meta: {
    id: "null-deref",
    type: "problem",
    description: "which register held NULL and the offset of the field being accessed",
  },
  run(ctx) {
    const { report, instruction } = ctx;
    const fault = signedFaultAddress(report);
    const isNull =
      fault !== undefined
        ? -NULL_LIMIT < fault && fault < NULL_LIMIT
        : report.kind === "null-deref";
    if (!isNull) return;
    const faultEvidence = ctx.evidence(report.sourceLines.faultAddress ?? report.header.line);
    const access = nullAccess(report, instruction);
    // the faulting instruction's base held a small non-zero value: the pointer was bad, not
    // NULL (a corrupted link, a count read as a pointer), and this rule has nothing to say
    if (access && !access.isNull) return;
    if (!access && baseIsNotNull(report, instruction)) return;
    // the address came from the instruction itself (RIP-relative or absolute): no pointer
    // was followed, so there is no NULL and no structure field (a bad relocation, a wild jump)
    if (!access && addressFromInstruction(instruction)) return;
    if (access) {
      const { base, baseValue, offset } = access;
      const words = ACCESS_WORDS[instruction?.access ?? "none"] ?? "an access to";
      ctx.finding(
        `NULL pointer dereference: ${base} was ${hex(baseValue)} (NULL) and \`${instruction?.text}\` made ${words} ${fieldWords(offset)}.`,
        [
          ...faultEvidence,
          ...ctx.evidence(registerLine(report, base)),
          ...ctx.evidence(instruction?.line),
        ],
        {
          register: base,
          registerValue: hex(baseValue),
          offset: hex(offset),
          access: instruction?.access,
        },
      );
      return;
    }
    if (fault === undefined) return;
    const address = hex(BigInt.asUintN(64, fault));
    // an instruction fetch from the first page: the kernel jumped there, it did not read a
    // field; no register of a faulting instruction will name it
    const ipAddress = report.ip?.address ? BigInt(report.ip.address) : undefined;
    if (report.errorCode?.instructionFetch || ipAddress === BigInt.asUintN(64, fault)) {
      ctx.finding(
        `The kernel jumped to ${address} (an instruction fetch from the first page): most likely a call through a ${fault === 0n ? "NULL" : "bad, near-NULL"} function pointer made by the caller on the stack (a jump or a return to a corrupted address would fetch from there too).`,
        [...faultEvidence, ...ctx.evidence(report.sourceLines.errorCode ?? report.sourceLines.ip)],
        // no `offset`: there is no structure field to look up
        { address, instructionFetch: true },
      );
      return;
    }
    // a register holding a misaligned fault address itself (0x1, 0x3): no word-sized field
    // sits there, so the pointer was most likely that value (a computed NULL + offset address
    // of an aligned field is no such evidence)
    const holder =
      fault > 0n && fault % 4n !== 0n
        ? Object.keys(report.registers).find(
            (r) => registerValue(report, r) === BigInt.asUintN(64, fault),
          )
        : undefined;
    if (holder) {
      ctx.finding(
        `The kernel accessed ${address}, in the first page: either offset ${hex(fault)} from a NULL pointer or a pointer whose value was ${address} itself; ${holder} holds exactly ${address}, which points to the second (a corrupted pointer, not NULL). The faulting instruction would decide.`,
        [...faultEvidence, ...ctx.evidence(registerLine(report, holder))],
        { address, register: holder, corruptedPointer: true },
      );
      return;
    }
    ctx.finding(
      `NULL pointer dereference: the kernel accessed ${address}, i.e. offset ${hex(fault)} from a NULL pointer; the faulting instruction would name the register.`,
      faultEvidence,
      { offset: hex(fault) },
    );
  },
};
