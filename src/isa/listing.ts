/**
 * @module isa/listing
 * Prints a decoding as objdump does, with the faulting line marked the way syzkaller's
 * "Code disassembly (best guess)" and the kernel's `scripts/decodecode` mark it.
 */

import type { CodeDecoding, DecodedInstruction } from "./types.js";

/** objdump pads x86 byte columns to 7 bytes ("48 8b 83 18 02 00 00") and the mnemonic to 6. */
const x86BytesWidth = 21;
const x86MnemonicWidth = 6;

function x86Line(ins: DecodedInstruction): string {
  // Prefixes stay in the padded column with the mnemonic: "lock decl 0x1c(%rdi)".
  const at = ins.text.indexOf(`${ins.mnemonic} `);
  const end = at === -1 ? -1 : at + ins.mnemonic.length;
  const body =
    end === -1
      ? ins.text
      : `${ins.text.slice(0, end).padEnd(x86MnemonicWidth)} ${ins.text.slice(end + 1)}`;
  return `${ins.bytes.padEnd(x86BytesWidth)}\t${body}`;
}

function armLine(ins: DecodedInstruction): string {
  const space = ins.text.indexOf(" ");
  const body =
    space === -1 ? ins.text : `${ins.text.slice(0, space)}\t${ins.text.slice(space + 1)}`;
  return `${ins.bytes} \t${body}`;
}

/**
 * One line per instruction, `offset:\tbytes\tinstruction`, offsets in hex from the first byte
 * of the Code: line. The faulting line starts with `*` and ends with `<-- trapping instruction`.
 */
export function formatListing(d: CodeDecoding): string {
  const isX86 = d.arch === "x86_64" || d.arch === "i386";
  return d.instructions
    .map((ins, i) => {
      const offset = `${ins.offset.toString(16).padStart(4)}:`;
      const line = `${offset}\t${isX86 ? x86Line(ins) : armLine(ins)}`;
      if (i !== d.faultIndex) return line;
      return `* ${line.slice(2)} <-- trapping instruction`;
    })
    .join("\n");
}
