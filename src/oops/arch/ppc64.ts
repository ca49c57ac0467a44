/**
 * @module oops/arch/ppc64
 * POWER oopses: "NIP [c0000000001234] func+0x…", "NIP:  … LR: … CTR: …", "GPR00: a b c d".
 */
import type { ArchSpec } from "./types.js";

const PAIR =
  /\b(NIP|LR|CTR|MSR|CR|XER|CFAR|DAR|DSISR|IRQMASK|TRAP|SOFTE)\s*:\s*([0-9a-f]{8,16})\b/g;

function registers(text: string): Array<[string, string]> {
  const gpr = /^\s*GPR(\d\d):\s*(.*)$/.exec(text);
  if (gpr) {
    const first = Number(gpr[1]);
    return (gpr[2] as string)
      .trim()
      .split(/\s+/)
      .map((value, i): [string, string] => [`r${first + i}`, value]);
  }
  return [...text.matchAll(PAIR)].map((m) => [(m[1] as string).toLowerCase(), m[2] as string]);
}

export const ppc64: ArchSpec = {
  id: "ppc64",
  registerLine: /^\s*(?:GPR\d\d:|NIP:\s+[0-9a-f]|MSR:\s+[0-9a-f])/,
  registers,
  ipLines: [/^\s*NIP \[[0-9a-f]+\] (.*)$/],
  release: /ppc64/,
  pointerDigits: 16,
};
