import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/** An idle CPU's backtrace, as `bt -a` prints it before the crashing task's. */
const IDLE_CPU = `PID: 0      TASK: ffffffff81951440  CPU: 1   COMMAND: "swapper/1"
 #0 [ffff88103f205e70] crash_nmi_callback at ffffffff81045982
 #1 [ffff88103f205e80] nmi_handle at ffffffff8163ebd9
 #2 [ffff88103f205ec8] do_nmi at ffffffff8163ed8a
 #3 [ffff88103f205ef0] end_repeat_nmi at ffffffff8163e053
    [exception RIP: native_safe_halt+6]
    RIP: ffffffff81058e96  RSP: ffffffff8193fe98  RFLAGS: 00000286
    RAX: 00000000ffffffed  RBX: ffffffff81990000  RCX: 0100000000000000
    RDX: 0000000000000000  RSI: 0000000000000000  RDI: 0000000000000046
    RBP: ffffffff8193fe98   R8: 0000000000000000   R9: 0000000000000000
    R10: 0000000000000000  R11: 0000000000000000  R12: 0000000000000000
    R13: 0000000000000000  R14: 0000000000000000  R15: 0000000000000000
    ORIG_RAX: ffffffffffffffff  CS: 0010  SS: 0018
--- <NMI exception stack> ---
 #4 [ffffffff8193fe98] native_safe_halt at ffffffff81058e96
`;

ruleTester("crash-session-evidence", {
  valid: [
    { name: "no crash session", real: "lab:nullread" },
    {
      name: "a hard lockup whose log goes on: nothing says a dump was taken",
      real: "realworld:301",
    },
    {
      name: "'Kdump: loaded' only says a crash kernel is armed; a WARN does not use it",
      real: "realworld:313",
    },
    { name: "an RCU stall warning on a running system", real: "realworld:326" },
    {
      name: "a console capture of a SysRq crash is not crash(8) output",
      real: "realworld:405",
      at: "Oops: 0002 [#1] SMP",
    },
  ],
  invalid: [
    {
      name: "seed 002: the write queue's prev is NULL",
      real: "seed:002",
      summary: /`p \(\(struct sock \*\) 0xffff8801089c8f00\)->sk_write_queue`: prev = 0x0 \(NULL\)/,
      evidence: "prev = 0x0",
    },
    {
      name: "seed 004: the timer belongs to neigh_timer_handler and was never armed",
      real: "seed:004",
      summary:
        /`timer_list ffff88102ee1fe58`: .*expires = 0 \(the timer was \(re\)initialised and never armed\), function = neigh_timer_handler/,
      evidence: "neigh_timer_handler",
    },
    {
      name: "seed 001: the exception frame holds RDI = 0",
      real: "seed:001",
      summary: /exception frame at __free_pages\+5 records .*rdi.* = 0/,
      evidence: "[exception RIP: __free_pages+5]",
    },
    {
      name: "seed 000 with bt -a: the crashing CPU's frame is used, not the idle CPU listed first",
      input: input("seed:000").replace("crash> bt\n", `crash> bt -a\n${IDLE_CPU}\n`),
      summary: /exception frame at run_posix_cpu_timers\+164 records rax, r10, r15 = 0/,
      evidence: "[exception RIP: run_posix_cpu_timers+164]",
    },
  ],
});
