/**
 * @module oops/arch/arm
 * 32-bit arm oopses: "PC is at func+0x…", "pc : [<c0123456>]    lr : […]    psr: …", "r10: …".
 */
import { type ArchSpec, pairs } from "./types.js";

const PAIR = /\b(r\d{1,2}|sp|ip|fp|pc|lr|psr)\s*:\s*\[?<?([0-9a-f]{8})\b/g;

export const arm: ArchSpec = {
  id: "arm",
  registerLine: /^\s*(?:r\d{1,2}\s*:\s*[0-9a-f]{8}|pc\s*:\s*\[<|sp\s*:\s*[0-9a-f]{8}\s)/,
  registers: (text) => pairs(text, PAIR),
  ipLines: [/^\s*PC is at (.*)$/, /^\s*pc\s*:\s*(\[<.*)$/],
  release: /armv\d|\.arm(?:hf|el)?\b/,
};
