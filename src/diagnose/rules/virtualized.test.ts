import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("virtualized", {
  valid: [
    { name: "a white-box server (seed 004)", input: input("seed:004") },
    { name: "an Inspur server (seed 003)", input: input("seed:003"), report: 0 },
  ],
  invalid: [
    {
      name: "seed 002: OpenStack Nova",
      input: input("seed:002"),
      summary: /an OpenStack Nova \(KVM\) guest/,
      evidence: "Hardware name: Red Hat Inc. OpenStack Nova",
    },
    {
      name: "seed 003's reproduction on VMware",
      input: input("seed:003"),
      report: 2,
      summary: /a VMware guest/,
    },
    { name: "the lab's QEMU", input: input("lab:nullread"), summary: /a QEMU\/KVM guest/ },
  ],
});
