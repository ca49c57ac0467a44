import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("null-deref", {
  valid: [
    { name: "a poisoned pointer is not NULL", input: input("lab:gpf") },
    { name: "a BUG_ON() is not a fault", input: input("lab:bugon") },
  ],
  invalid: [
    {
      name: "seed 000: r15 NULL, field 0x140, from the session's registers and listing",
      input: input("seed:000"),
      summary:
        /r15 was 0x0 \(NULL\) and `mov 0x140\(%r15\),%ecx` made a read of the field at offset 0x140/,
      evidence: "R15: 0000000000000000",
      data: { register: "r15", offset: "0x140" },
    },
    {
      name: "seed 001: rdi NULL, field 0x1c",
      input: input("seed:001"),
      summary:
        /rdi was 0x0 \(NULL\) and `lock decl 0x1c\(%rdi\)` made a read-modify-write of the field at offset 0x1c/,
      data: { register: "rdi", offset: "0x1c" },
    },
    {
      name: "seed 002: rax NULL, a write at offset 0",
      input: input("seed:002"),
      summary:
        /rax was 0x0 \(NULL\) and `mov %rsi,\(%rax\)` made a write to the field at offset 0x0/,
      evidence: "RAX: 0000000000000000",
      data: { register: "rax", access: "write" },
    },
    {
      name: "lab nullwrite: rdi NULL, a write at offset 0x48",
      input: input("lab:nullwrite"),
      summary: /rdi was 0x0 \(NULL\) .* made a write to the field at offset 0x48/,
    },
  ],
});
