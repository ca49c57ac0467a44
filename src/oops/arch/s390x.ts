/**
 * @module oops/arch/s390x
 * s390x oopses: "Krnl PSW : mask addr (func+0x…)", "Krnl GPRS: …" (four registers a line).
 */
import type { ArchSpec } from "./types.js";

function registers(text: string, known: Readonly<Record<string, string>>): Array<[string, string]> {
  const first = /^\s*Krnl GPRS:\s*(.*)$/.exec(text);
  const values = first ? first[1] : /^\s+((?:[0-9a-f]{16}\s*){4})$/.exec(text)?.[1];
  // continuation lines carry on the numbering of the first
  let nextGpr = first ? 0 : Object.keys(known).filter((k) => /^r\d+$/.test(k)).length;
  if (!values) return [];
  return values
    .trim()
    .split(/\s+/)
    .map((value): [string, string] => [`r${nextGpr++}`, value]);
}

export const s390x: ArchSpec = {
  id: "s390x",
  registerLine: /^\s*Krnl GPRS:/,
  registers,
  ipLines: [/^\s*Krnl PSW : [0-9a-f]+ [0-9a-f]+ \((.*)\)/],
  release: /s390/,
  pointerDigits: 16,
};
