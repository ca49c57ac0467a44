import { ruleTester } from "../rule-tester.js";

ruleTester("interrupted-context", {
  valid: [
    { name: "a fault in a system call", real: "lab:nullread" },
    { name: "seed 002 in task context", real: "seed:002" },
    {
      name: "a hard lockup sampled in an irq_work: the task had just re-enabled interrupts, no bystander",
      real: "realworld:301",
    },
    {
      name: "a GPF on Xorg's exit path: no <IRQ> markers, process context",
      real: "realworld:201",
      at: "Pid: 1473, comm: Xorg",
    },
    {
      name: "a KASAN report in a sendmsg system call, between <TASK> markers",
      real: "realworld:300",
    },
    {
      name: "a threaded IRQ handler runs as a kthread: no <IRQ> section",
      real: "realworld:308",
    },
    {
      name: "a bare <IRQ> on x86 is not called a hard interrupt: softirqs run on that stack too",
      real: "realworld:336",
      notSummary: /hard-interrupt/,
    },
  ],
  invalid: [
    {
      name: "seed 000: the timer interrupt over an xfs write",
      real: "seed:000",
      summary:
        /hard-interrupt \(IRQ\) context entered through apic_timer_interrupt, interrupting task commserver in xfs_log_reserve … xfs_file_aio_write \[xfs\] … sys_write/,
      evidence: "update_process_times",
      data: { context: "irq", entry: "apic_timer_interrupt" },
    },
    {
      name: "seed 004: the timer softirq over the idle loop",
      real: "seed:004",
      summary: /softirq context entered through run_timer_softirq, interrupting the idle loop/,
      data: { context: "softirq" },
    },
    {
      name: "UBSAN in an mpt3sas interrupt over the idle loop",
      real: "realworld:316",
      summary:
        /hard-interrupt \(IRQ\) context entered through common_interrupt, interrupting the idle loop/,
    },
    {
      name: "KASAN under <IRQ> with no entry frame shown: interrupt context, kind unknown (tempesta)",
      real: "realworld:336",
      summary:
        /^The fault happened in interrupt context \(on the IRQ stack: a hard interrupt or a softirq; the frames shown do not say which\), interrupting task loop6/,
    },
  ],
});
