import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("virtualized", {
  valid: [
    { name: "a white-box server (seed 004)", real: "seed:004" },
    { name: "an Inspur server (seed 003)", real: "seed:003", report: 0 },
    {
      name: "a ThinkPad with kvm_intel loaded is a host, not a guest",
      real: "realworld:201",
      at: "Pid: 1473, comm: Xorg",
    },
    { name: "a SiFive HiFive Unmatched board", real: "realworld:121" },
    { name: "a Supermicro server", real: "realworld:132" },
    {
      name: "a GCE guest: the hypervisor, and no guess about host events",
      real: "realworld:114",
      notSummary: /migration|steal|timing|host event|balloon/,
    },
    {
      name: "an EC2 bare-metal instance runs on no hypervisor",
      input: input("realworld:326").replace("r8g.4xlarge", "r8g.metal-24xl"),
    },
  ],
  invalid: [
    {
      name: "seed 002: OpenStack Nova",
      real: "seed:002",
      summary:
        /^The machine is an OpenStack Nova \(KVM\) guest \("Red Hat Inc\. OpenStack Nova.*"\)\.$/,
      evidence: "Hardware name: Red Hat Inc. OpenStack Nova",
    },
    {
      name: "seed 003's reproduction on VMware",
      real: "seed:003",
      report: 2,
      summary: /a VMware guest/,
    },
    { name: "the lab's QEMU", real: "lab:nullread", summary: /a QEMU\/KVM guest/ },
    {
      name: "Google Compute Engine",
      real: "realworld:114",
      summary: /a Google Compute Engine \(KVM\) guest/,
    },
    { name: "Azure's Hyper-V", real: "realworld:423", summary: /a Hyper-V guest/ },
  ],
});
