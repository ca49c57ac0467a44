/**
 * @module oops/formats/faults
 * CPU exceptions the kernel could not handle: general protection, page faults reported by
 * arm, stack segment, divide error, invalid opcode, double fault, arm aborts.
 */
import { re } from "../patterns.js";
import { ripOnly, ripThenTrace } from "./common.js";
import type { OopsGroup } from "./types.js";

export const faultGroups: OopsGroup[] = [
  {
    header: "Unable to handle kernel",
    formats: [
      {
        kind: "paging-request",
        title: re(
          "Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)",
        ),
        template: "BUG: unable to handle kernel {1} in {2}",
        alt: ["bad-access in {2}"],
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: "general protection fault",
    formats: [
      {
        kind: "general-protection",
        title: re("general protection fault.*:"),
        template: "general protection fault in {1}",
        alt: ["bad-access in {1}"],
        stack: ripThenTrace(),
      },
    ],
    // a user-space segfault report, not a kernel crash
    suppress: [re("general protection fault .* error:\\d+ in ")],
  },
  {
    header: "stack segment: ",
    formats: [
      {
        kind: "general-protection",
        title: re("stack segment: "),
        template: "stack segment fault in {1}",
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: "PANIC: double fault",
    formats: [
      {
        kind: "double-fault",
        title: re("PANIC: double fault"),
        template: "PANIC: double fault in {1}",
        stack: ripOnly(),
      },
    ],
  },
  {
    header: "divide error:",
    formats: [
      {
        kind: "divide-error",
        title: re("divide error: "),
        template: "divide error in {1}",
        stack: ripOnly(),
      },
    ],
  },
  {
    // a misspelling introduced with the IDTENTRY conversion (kernel commit 9d06c4027f21)
    header: "divide_error:",
    formats: [
      {
        kind: "divide-error",
        title: re("divide_error: "),
        template: "divide error in {1}",
        stack: ripOnly(),
      },
    ],
  },
  {
    header: "invalid opcode:",
    formats: [
      {
        kind: "invalid-opcode",
        title: re("invalid opcode: "),
        template: "invalid opcode in {1}",
        stack: ripOnly(),
      },
    ],
  },
  {
    // x86 breakpoint trap printed since 2024 as "Oops: int3: 0000 [#1]"
    header: "int3: ",
    formats: [
      {
        kind: "invalid-opcode",
        title: re("int3: "),
        template: "int3 in {1}",
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: "Internal error:",
    formats: [
      {
        // arm64 prints some faults as "Internal error: synchronous external abort" where arm
        // prints "Unable to handle kernel paging request": the alt title joins them
        kind: "other",
        title: re("Internal error:"),
        template: "Internal error in {1}",
        alt: ["bad-access in {1}"],
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: "Unhandled fault:",
    formats: [
      {
        // asynchronous: it arrives after the bus access that caused it, wherever the CPU is
        kind: "other",
        title: re("Unhandled fault: imprecise external abort"),
        template: "imprecise external abort in {1}",
        alt: ["bad-access in {1}"],
        stack: ripThenTrace(),
      },
      {
        kind: "paging-request",
        title: re("Unhandled fault:"),
        template: "Unhandled fault in {1}",
        alt: ["bad-access in {1}"],
        stack: ripThenTrace(),
      },
    ],
  },
  {
    header: "Alignment trap:",
    formats: [
      {
        kind: "other",
        title: re("Alignment trap:"),
        template: "Alignment trap in {1}",
        stack: ripThenTrace(),
      },
    ],
  },
];
