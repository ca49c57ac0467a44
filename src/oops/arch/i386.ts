/**
 * @module oops/arch/i386
 * 32-bit x86 oopses: "EIP: 0060:[<c04ec2f1>]", "EIP is at func+0x…", "EAX: … EBX: …".
 */
import { type ArchSpec, pairs } from "./types.js";

const PAIR = /\b(E[A-Z]{2}|EFLAGS|CR[0-4]|DR[0-7]|DS|ES|FS|GS|SS):\s*([0-9a-f]{4,8})\b/g;

export const i386: ArchSpec = {
  id: "i386",
  registerLine: /^\s*(?:EAX|ESI|DS|CR0|DR0)\s*:/,
  registers: (text) => pairs(text, PAIR, (n) => n.toLowerCase()).filter(([n]) => n !== "eip"),
  ipLines: [
    /^\s*EIP is at (.*)$/,
    /^\s*EIP: ?(?:[0-9a-f]{4}:)?(.*)$/,
    // the page-fault line's "IP: [<c036549f>] memcpy+0x1f/0x40" before 4.10
    /^\s*IP: (\[<[0-9a-f]{8}>\].*)$/,
  ],
  userIp: /^\s*EIP: 0073:/,
  release: /i[3-6]86|\.x86_32/,
  pointerDigits: 8,
};
