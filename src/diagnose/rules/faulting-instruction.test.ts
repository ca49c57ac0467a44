import { ruleTester } from "../rule-tester.js";

ruleTester("faulting-instruction", {
  valid: [
    {
      name: "a hung task: the code bytes are only where the CPU was sampled",
      real: "lab:hung",
    },
    { name: "an explicit panic prints no kernel Code: line", real: "lab:panic" },
    {
      name: "an imprecise external abort arrives after the access: the pc did not fault (i.MX6)",
      real: "realworld:117",
    },
    {
      name: "a double fault at asm_exc_page_fault+0x0: the entry's first instruction never ran (i386)",
      real: "realworld:321",
    },
    {
      name: "a lockdep report has no faulting instruction",
      real: "realworld:202",
    },
    {
      name: "s390 Krnl Code of 'illegal' halfwords at address 0: nothing to decode",
      real: "realworld:102",
    },
  ],
  invalid: [
    {
      name: "Code: bytes of a NULL read",
      real: "lab:nullread",
      summary:
        /`mov 0x140\(%rdi\),%rax` \(decoded from the Code: bytes\): a read through rdi at offset 0x140/,
      evidence: "Code: cc 0f 1f 40 00",
      data: { access: "read", base: "rdi", displacement: 0x140 },
    },
    {
      name: "Code: bytes of seed 002's list insert, with crash's listing beside them",
      real: "seed:002",
      summary: /`mov %rsi,\(%rax\)` \(decoded from the Code: bytes\): a write through rax\./,
      data: { access: "write", base: "rax", displacement: 0 },
    },
    {
      name: "crash dis -rl line with its source",
      real: "seed:000",
      summary:
        /`mov 0x140\(%r15\),%ecx` \(from crash's disassembly\): a read through r15 at offset 0x140\. Source: kernel\/posix-cpu-timers\.c:1292/,
      evidence: "<run_posix_cpu_timers+164>",
    },
    {
      name: "a BUG_ON() traps on ud2",
      real: "lab:bugon",
      summary: /stopped on `ud2`, the trap that BUG\(\)\/WARN\(\) use/,
    },
    {
      name: "arm64 Code: words of a NULL read (R-Car genpd)",
      real: "realworld:112",
      summary:
        /`ldr x21, \[x4, #64\]` \(decoded from the Code: bytes\): a read through x4 at offset 0x40/,
    },
    {
      name: "a RIP-relative store is no access through a pointer (nvidia-open)",
      real: "realworld:348",
      summary:
        /`mov %rdi,0x5ff3ef3b\(%rip\)` \(decoded from the Code: bytes\): a write at rip \+ 0x5ff3ef3b \(RIP-relative/,
    },
  ],
});
