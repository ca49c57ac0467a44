/**
 * @module diagnose/rules/faulting-instruction
 * States the instruction the CPU faulted on, whether it read or wrote memory, and through
 * which register.
 */
import type { Rule } from "../types.js";
import { hex } from "../util/registers.js";

/**
 * Faults the CPU reports some time after the access that caused them: the instruction at
 * the pc did not fault, so the rule has nothing to say (an arm "imprecise external abort",
 * an arm64 SError).
 */
const ASYNCHRONOUS_FAULTS: readonly RegExp[] = [
  /imprecise external abort/,
  /Asynchronous SError Interrupt/,
  /SError Interrupt on CPU/,
];

const ACCESS_WORDS: Record<string, string> = {
  read: "a read",
  write: "a write",
  "read-write": "a read-modify-write",
  none: "no memory access",
};

export const faultingInstruction: Rule = {
  meta: {
    id: "faulting-instruction",
    type: "context",
    description: "the decoded instruction at the fault, read or write, and through which register",
  },
  run(ctx) {
    const ins = ctx.instruction;
    if (!ins) return;
    if (ASYNCHRONOUS_FAULTS.some((f) => f.test(ctx.report.header.text))) return;
    const where = ins.from === "code" ? "decoded from the Code: bytes" : "from crash's disassembly";
    let summary: string;
    if (ins.trapOnly) {
      summary = `The CPU stopped on \`${ins.text}\`, the trap that BUG()/WARN() use (${where}): the assertion fired, the instruction is not the cause.`;
    } else if (ins.base || ins.displacement !== undefined) {
      const operand = /^(?:rip|eip|pc)$/.test(ins.base ?? "")
        ? `at ${ins.base} + ${hex(ins.displacement ?? 0)} (RIP-relative, as for a global or static variable; no pointer register)`
        : ins.base
          ? `through ${ins.base}${ins.displacement ? ` at offset ${hex(ins.displacement)}` : ""}`
          : `at absolute address ${hex(ins.displacement ?? 0)}`;
      summary = `The faulting instruction is \`${ins.text}\` (${where}): ${ACCESS_WORDS[ins.access ?? "none"]} ${operand}.`;
    } else {
      summary = `The faulting instruction is \`${ins.text}\` (${where}).`;
    }
    if (ins.source) summary += ` Source: ${ins.source}.`;
    ctx.finding(summary, ctx.evidence(ins.line), {
      text: ins.text,
      access: ins.access,
      base: ins.base,
      displacement: ins.displacement,
    });
  },
};
