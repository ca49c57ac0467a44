import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/** A real paste cut just before a line that starts with `marker`: what a shorter paste shows. */
function cutBefore(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not in the case`);
  return text.slice(0, text.lastIndexOf("\n", at) + 1);
}

ruleTester("stuck-cpu-stack", {
  valid: [
    {
      name: "a hard lockup reported on the stuck CPU itself (3.8 Bochs guest, CPU 0)",
      input: input("realworld:206"),
    },
    {
      name: "6.17 hard lockup 'CPU3: … on cpu 3': the trace is the stuck CPU's own",
      input: input("realworld:301"),
    },
    {
      name: "an RCU stall on a preempted task, not a CPU ('Tasks blocked on level-0 rcu_node')",
      input: input("realworld:309"),
      report: 4,
    },
    { name: "a soft lockup is always reported by the stuck CPU", input: input("lab:softlockup") },
    {
      name: "Graviton RCU stall: the report's registers are the stuck CPU 0's NMI backtrace",
      input: input("realworld:326"),
    },
  ],
  invalid: [
    {
      name: "Graviton RCU stall detected by CPU 2, pasted without CPU 0's NMI backtrace",
      input: cutBefore(input("realworld:326"), "NMI backtrace for cpu 0"),
      summary:
        /^CPU 2 detected the stall of CPU 0\. The stack of CPU 0 is not in this text, so what it was doing is unknown\.$/,
      evidence: "(detected by 2, t=5902 jiffies",
      data: { stuck: [0], reporter: 2, missing: [0] },
    },
    {
      name: "Harvester: CPU 9's backtrace skipped as idle, CPU 11's not in the paste",
      input: input("realworld:174"),
      summary:
        /^CPU 2 detected the stall of CPUs 9, 11\. CPU 9 was idle \(at native_safe_halt\+0xe\/0x10, line 16\): the kernel skipped its backtrace\. The stack of CPU 11 is not in this text/,
      evidence: "NMI backtrace for cpu 9 skipped",
      data: { stuck: [9, 11], reporter: 2, missing: [11] },
    },
  ],
});
