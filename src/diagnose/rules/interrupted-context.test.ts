import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("interrupted-context", {
  valid: [
    { name: "a fault in a system call", input: input("lab:nullread") },
    { name: "seed 002 in task context", input: input("seed:002") },
  ],
  invalid: [
    {
      name: "seed 000: the timer interrupt over an xfs write",
      input: input("seed:000"),
      summary:
        /hard-interrupt \(IRQ\) context entered through apic_timer_interrupt, interrupting task commserver in xfs_log_reserve … xfs_file_aio_write \[xfs\] … sys_write/,
      evidence: "update_process_times",
      data: { context: "irq", entry: "apic_timer_interrupt" },
    },
    {
      name: "seed 004: the timer softirq over the idle loop",
      input: input("seed:004"),
      summary: /softirq context entered through run_timer_softirq, interrupting the idle loop/,
      data: { context: "softirq" },
    },
  ],
});
