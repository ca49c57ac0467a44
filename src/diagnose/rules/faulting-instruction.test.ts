import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("faulting-instruction", {
  valid: [
    {
      name: "a hung task: the code bytes are only where the CPU was sampled",
      input: input("lab:hung"),
    },
    { name: "an explicit panic prints no kernel Code: line", input: input("lab:panic") },
    {
      name: "an imprecise external abort arrives after the access: the pc did not fault (i.MX6)",
      input: input("realworld:117"),
    },
  ],
  invalid: [
    {
      name: "Code: bytes of a NULL read",
      input: input("lab:nullread"),
      summary:
        /`mov 0x140\(%rdi\),%rax` \(decoded from the Code: bytes\): a read through rdi at offset 0x140/,
      evidence: "Code: cc 0f 1f 40 00",
      data: { access: "read", base: "rdi", displacement: 0x140 },
    },
    {
      name: "Code: bytes of seed 002's list insert, with crash's listing beside them",
      input: input("seed:002"),
      summary: /`mov %rsi,\(%rax\)` \(decoded from the Code: bytes\): a write through rax\./,
      data: { access: "write", base: "rax", displacement: 0 },
    },
    {
      name: "crash dis -rl line with its source",
      input: input("seed:000"),
      summary:
        /`mov 0x140\(%r15\),%ecx` \(from crash's disassembly\): a read through r15 at offset 0x140\. Source: kernel\/posix-cpu-timers\.c:1292/,
      evidence: "<run_posix_cpu_timers+164>",
    },
    {
      name: "a BUG_ON() traps on ud2",
      input: input("lab:bugon"),
      summary: /stopped on `ud2`, the trap that BUG\(\)\/WARN\(\) use/,
    },
  ],
});
