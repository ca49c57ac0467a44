/**
 * @module oops/arch/arm64
 * arm64 oopses: "pc : func+0x…", "lr : …", "x29: … x28: …", "Internal error: Oops: …".
 * Before 4.16: "PC is at func+0x…" (shared with arm, see index.ts) and
 * "pc : [<ffffff8008132d58>] lr : [<…>] pstate: 804001c5", 16-digit addresses.
 */
import { type ArchSpec, pairs } from "./types.js";

const PAIR = /\b(x\d{1,2}|sp|pc|lr|pstate)\s*:\s*(?:\[<)?([0-9a-f]{8,16})\b/g;

export const arm64: ArchSpec = {
  id: "arm64",
  registerLine: /^\s*(?:x\d{1,2}\s*:|sp\s*:\s*[0-9a-f]{16})/,
  registers: (text) => pairs(text, PAIR),
  // not "pc : [<c0123456>]": an eight-digit pc is 32-bit arm's
  ipLines: [/^\s*pc\s*:(?!\s*\[<[0-9a-f]{8}>\])\s*(.*)$/],
  release: /aarch64|arm64/,
  pointerDigits: 16,
};
