/**
 * @module diagnose/rules/null-deref
 * A fault below the first page is a NULL pointer plus a field offset: names the register that
 * held NULL and the offset of the field that was accessed.
 */
import type { Rule } from "../types.js";
import { NULL_LIMIT, nullAccess, signedFaultAddress } from "../util/null-access.js";
import { hex, registerLine } from "../util/registers.js";

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
    if (fault !== undefined) {
      ctx.finding(
        `NULL pointer dereference: the kernel accessed ${hex(BigInt.asUintN(64, fault))}, i.e. offset ${hex(fault)} from a NULL pointer; the faulting instruction would name the register.`,
        faultEvidence,
        { offset: hex(fault) },
      );
    }
  },
};
