/**
 * @module diagnose/rules/error-code
 * Puts the x86 page-fault error code into words: read or write, page present or not, kernel
 * or user mode, instruction fetch, protection keys.
 */
import type { ErrorCode } from "../../oops/report.js";
import type { Rule } from "../types.js";

function words(code: ErrorCode): string[] {
  const out = [
    code.instructionFetch ? "an instruction fetch" : code.write ? "a write" : "a read",
    code.present
      ? "to a page that is present (a protection violation)"
      : "to a page that is not present",
    code.user ? "in user mode" : "in kernel mode",
  ];
  if (code.reservedBit)
    out.push("with a reserved bit set in a page-table entry (corrupt page tables)");
  if (code.protectionKey) out.push("blocked by a protection key");
  if (code.shadowStack) out.push("on the shadow stack");
  if (code.sgx) out.push("in an SGX enclave");
  return out;
}

export const errorCode: Rule = {
  meta: {
    id: "error-code",
    type: "context",
    description: "x86 page-fault error code bits in words",
  },
  run(ctx) {
    const code = ctx.report.errorCode;
    if (!code) return;
    const value = code.value.toString(16).padStart(4, "0");
    const said = code.description ? ` (the kernel says: ${code.description})` : "";
    ctx.finding(
      `Page-fault error code ${value} means ${words(code).join(", ")}${said}.`,
      ctx.evidence(ctx.report.sourceLines.errorCode),
      {
        value: code.value,
        write: code.write,
        present: code.present,
        user: code.user,
      },
    );
  },
};
