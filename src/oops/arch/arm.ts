/**
 * @module oops/arch/arm
 * 32-bit arm oopses: "PC is at func+0x…", "pc : [<c0123456>]    lr : […]    psr: …", "r10: …".
 * Registers are 32 bits: eight hex digits, r0–r12 and psr. arm64 before 4.16 printed the same
 * "PC is at" line (see sharedIpLines in index.ts) but 16-digit x0–x30 and pstate.
 */
import { type ArchSpec, pairs } from "./types.js";

const PAIR = /\b(r\d{1,2}|sp|ip|fp|pc|lr|psr)\s*:\s*\[?<?([0-9a-f]{8})\b/g;

export const arm: ArchSpec = {
  id: "arm",
  registerLine:
    /^\s*(?:r\d{1,2}\s*:\s*[0-9a-f]{8}\b|pc\s*:\s*\[<[0-9a-f]{8}>\]|sp\s*:\s*[0-9a-f]{8}\s)/,
  registers: (text) => pairs(text, PAIR),
  ipLines: [/^\s*pc\s*:\s*(\[<[0-9a-f]{8}>\].*)$/],
  release: /armv\d|\.arm(?:hf|el)?\b/,
  pointerDigits: 8,
};
