/**
 * @module diagnose/rules/virtualized
 * The machine is a virtual-machine guest (from "Hardware name"). The finding names the
 * hypervisor and nothing more: what the host did is not in a guest's log, so any host-side
 * cause (migration, steal time, ballooning) would be a guess (issue 8).
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

/** Cloud instance types that are whole machines: "Amazon EC2 c5.metal", "m7i.metal-24xl". */
const BARE_METAL = /\b[a-z0-9-]+\.metal(?:-\d+xl)?\b/i;

export const virtualized: Rule = {
  meta: {
    id: "virtualized",
    type: "context",
    description: "guest of KVM/OpenStack/VMware/Xen/Hyper-V from Hardware name",
  },
  run(ctx) {
    const hardware = ctx.report.kernel.hardware;
    if (!hardware) return;
    // a cloud's bare-metal instance names the cloud but runs on no hypervisor
    if (BARE_METAL.test(hardware)) return;
    const hit = HYPERVISORS.find((h) => h.test.test(hardware));
    if (!hit) return;
    ctx.finding(
      `The machine is ${hit.name} ("${hardware}").`,
      ctx.evidence(ctx.report.sourceLines["kernel.hardware"]),
      { hypervisor: hit.name },
    );
  },
};
