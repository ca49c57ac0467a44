import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("lockup-consequence", {
  valid: [
    { name: "the lockup itself is the cause", input: input("seed:003"), report: 0 },
    { name: "hung tasks with no lockup before them", input: input("lab:hung") },
  ],
  invalid: [
    {
      name: "seed 003: crond waits in synchronize_sched for CPU 1",
      input: input("seed:003"),
      report: 1,
      summary:
        /crond \(pid 28259\) is blocked in synchronize_sched, waiting for an RCU grace period that cannot end while the soft lockup on CPU 1 in get_process_name \[dirpro\]/,
      evidence: "BUG: soft lockup - CPU#1 stuck for 67s!",
      data: { causeSymbol: "get_process_name", causeModule: "dirpro", wait: "synchronize_sched" },
    },
  ],
});
