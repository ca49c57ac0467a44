/**
 * @module oops/arch/x86_64
 * x86-64 oopses: "RIP: 0010:func+0x…", "RAX: … RBX: …", segment-prefixed RSP, CR/DR lines.
 */
import { type ArchSpec, pairs } from "./types.js";

// "RSP: 0018:ffff…" carries the stack segment before the value
const PAIR =
  /\b(R[A-Z0-9]{1,2}|ORIG_RAX|EFLAGS|CR[0-4]|DR[0-7]|FS|GS|CS|DS|ES|SS|knlGS|PKRU):\s*(?:[0-9a-f]{4}:(?=[0-9a-f]{5}))?([0-9a-f]{4,16})\b/g;

export const x86_64: ArchSpec = {
  id: "x86_64",
  registerLine:
    /^\s*(?:RAX|RBX|RCX|RDX|RSI|RDI|RBP|RSP|R(?:0?8|0?9|1[0-5])|ORIG_RAX|FS|CS|CR2|DR[0-7]|PKRU)\s*:/,
  registers: (text) =>
    pairs(text, PAIR, (n) => n.toLowerCase().replace(/^r0(\d)$/, "r$1")).filter(
      ([name]) => name !== "rip",
    ),
  // "IP: [<ffffffff81349366>] …" by the page-fault line before 4.10; an 8-digit one is i386's
  ipLines: [
    /^\s*RIP: ?(?:[0-9a-f]{4}:)?(.*)$/,
    /^\s*IP: (\[<[0-9a-f]{16}>\].*)$/,
    /^\s*RIP {1,2}(\[<.*)$/,
  ],
  // CS 0033 (or 0023 for compat tasks) is user mode
  userIp: /^\s*RIP: 00[23]3:/,
  release: /x86_64|amd64/,
  pointerDigits: 16,
};
