/**
 * @module diagnose/rules/virtualized
 * The machine is a virtual-machine guest (from "Hardware name"): host-side events
 * (live migration, steal time, ballooning) become possible causes.
 */
import type { Rule } from "../types.js";

const HYPERVISORS: ReadonlyArray<{ test: RegExp; name: string }> = [
  { test: /OpenStack Nova/, name: "an OpenStack Nova (KVM) guest" },
  { test: /Google Compute Engine/, name: "a Google Compute Engine (KVM) guest" },
  { test: /Amazon EC2|amazon/i, name: "an Amazon EC2 guest" },
  { test: /Alibaba Cloud ECS/, name: "an Alibaba Cloud ECS guest" },
  { test: /VMware/, name: "a VMware guest" },
  { test: /Microsoft Corporation Virtual Machine|Hyper-V/, name: "a Hyper-V guest" },
  { test: /Xen|HVM domU/, name: "a Xen guest" },
  { test: /VirtualBox|innotek/, name: "a VirtualBox guest" },
  { test: /Parallels/, name: "a Parallels guest" },
  { test: /QEMU|KVM|Bochs|Standard PC \((?:i440FX|Q35)/, name: "a QEMU/KVM guest" },
];

export const virtualized: Rule = {
  meta: {
    id: "virtualized",
    type: "context",
    description: "guest of KVM/OpenStack/VMware/Xen/Hyper-V from Hardware name",
  },
  run(ctx) {
    const hardware = ctx.report.kernel.hardware;
    if (!hardware) return;
    const hit = HYPERVISORS.find((h) => h.test.test(hardware));
    if (!hit) return;
    ctx.finding(
      `The machine is ${hit.name} ("${hardware}"): rare timing-dependent bugs and host events (migration, steal time) are in play.`,
      ctx.evidence(ctx.report.sourceLines["kernel.hardware"]),
      { hypervisor: hit.name },
    );
  },
};
