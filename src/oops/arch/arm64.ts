/**
 * @module oops/arch/arm64
 * arm64 oopses: "pc : func+0x…", "lr : …", "x29: … x28: …", "Internal error: Oops: …".
 */
import { type ArchSpec, pairs } from "./types.js";

const PAIR = /\b(x\d{1,2}|sp|pc|lr|pstate)\s*:\s*(?:\[<)?([0-9a-f]{8,16})\b/g;

export const arm64: ArchSpec = {
  id: "arm64",
  registerLine: /^\s*(?:x\d{1,2}\s*:|sp\s*:\s*[0-9a-f]{16})/,
  registers: (text) => pairs(text, PAIR),
  ipLines: [/^\s*pc\s*:\s*(.*)$/],
  release: /aarch64|arm64/,
};
