/**
 * @module isa/att-to-intel
 * Rewrites an AT&T instruction (as `crash dis` prints it) in Intel syntax with an explicit
 * operand size, the form the decoder prints for Code: bytes: `mov 0x140(%r15),%ecx` →
 * `mov ecx,dword ptr [r15+0x140]`. Used when only the text of the instruction is known.
 */
import { parseAttInstruction } from "./att-text.js";
import { baseMnemonic } from "./x86-access.js";

const SIZE_WORDS: Record<number, string> = {
  1: "byte",
  2: "word",
  4: "dword",
  8: "qword",
  16: "xmmword",
};

const MEMORY = /^(?:%(\w+):)?(-?(?:0x)?[0-9a-f]+)?\((%\w+)?(?:,(%\w+)(?:,(\d))?)?\)$/;

function memoryOperand(operand: string, size: number | undefined): string | undefined {
  const m = MEMORY.exec(operand);
  if (!m) return undefined;
  const [, segment, displacement, base, index, scale] = m;
  const parts: string[] = [];
  if (base) parts.push(base.slice(1));
  if (index) parts.push(`${index.slice(1)}*${scale ?? "1"}`);
  let address = parts.join("+");
  if (displacement && !/^-?(?:0x)?0+$/.test(displacement)) {
    const negative = displacement.startsWith("-");
    const magnitude = negative ? displacement.slice(1) : displacement;
    address = address ? `${address}${negative ? "-" : "+"}${magnitude}` : displacement;
  }
  const ptr = size !== undefined && SIZE_WORDS[size] ? `${SIZE_WORDS[size]} ptr ` : "";
  return `${ptr}${segment ? `${segment}:` : ""}[${address || "0x0"}]`;
}

function plainOperand(operand: string): string {
  if (operand.startsWith("%")) return operand.slice(1);
  if (operand.startsWith("$")) return operand.slice(1);
  if (operand.startsWith("*")) return plainOperand(operand.slice(1));
  // "%gs:0xb7c0": a segment-relative absolute address
  const segmented = /^%(\w+):(.*)$/.exec(operand);
  if (segmented) return `${segmented[1]}:[${segmented[2]}]`;
  return operand;
}

/** The Intel form, or undefined when the text is not one x86 instruction. */
export function attToIntel(text: string): string | undefined {
  const ins = parseAttInstruction(text);
  if (!ins) return undefined;
  const { base } = baseMnemonic(ins.mnemonic);
  const size = ins.memory?.sizeBytes;
  const operands = [...ins.operands]
    .reverse()
    .map((op) => memoryOperand(op, size) ?? plainOperand(op));
  const head = [...ins.prefixes, base].join(" ");
  return operands.length > 0 ? `${head} ${operands.join(",")}` : head;
}
