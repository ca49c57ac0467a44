import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/**
 * The lab's soft lockup followed by the lab's hung-task reports, their printk timestamps
 * moved `shift` seconds later: a hang that long after the lockup is not explained by it.
 */
function lockupThenHang(shift: number): string {
  const from = (log: string, header: string) => log.slice(log.indexOf(header));
  const hang = from(input("lab:hung"), "[   10.937628] INFO: task").replace(
    /^\[\s*(\d+\.\d+)\]/gm,
    (_, t: string) => `[${(Number(t) + shift).toFixed(6).padStart(12)}]`,
  );
  return `${from(input("lab:softlockup"), "[    7.549559] watchdog: BUG: soft lockup")}${hang}`;
}

ruleTester("lockup-consequence", {
  valid: [
    { name: "the lockup itself is the cause", real: "seed:003", report: 0 },
    { name: "hung tasks with no lockup before them", real: "lab:hung" },
    {
      name: "txg_sync waits for pool I/O; nothing in the text is stuck (zfs)",
      real: "realworld:404",
    },
    {
      name: "a kthread never woken after creation; no lockup or stall anywhere (RPi)",
      real: "realworld:124",
    },
    {
      name: "a hung task whose semaphore holder sleeps: no lockup in the text",
      real: "realworld:303",
    },
    { name: "a ZFS assertion is not a hang", real: "realworld:402" },
    {
      name: "a second expedited RCU stall of the same CPU is the stall re-reported, not its victim",
      real: "realworld:344",
      at: "s: 1141 root",
    },
    {
      name: "a hang four days after the lockup (outside the window)",
      input: lockupThenHang(350_000),
      report: 1,
    },
  ],
  invalid: [
    {
      name: "seed 003: crond waits in synchronize_sched for CPU 1",
      real: "seed:003",
      report: 1,
      summary:
        /crond \(pid 28259\) is blocked in synchronize_sched, waiting for an RCU grace period that cannot end while the soft lockup on CPU 1 in get_process_name \[dirpro\]/,
      evidence: "BUG: soft lockup - CPU#1 stuck for 67s!",
      data: { causeSymbol: "get_process_name", causeModule: "dirpro", wait: "synchronize_sched" },
    },
    {
      name: "a hang seconds after the lockup on another CPU",
      input: lockupThenHang(0),
      report: 1,
      summary: /sh \(pid 100\) hangs after the soft lockup on CPU 0 in buggy_poll_hw \[buggy\]/,
      evidence: "BUG: soft lockup - CPU#0 stuck for 6s!",
      data: { causeSymbol: "buggy_poll_hw", causeModule: "buggy" },
    },
  ],
});
