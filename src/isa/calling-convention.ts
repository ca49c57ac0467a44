/**
 * @module isa/calling-convention
 * Which registers carry a kernel function's arguments and return value on each architecture, so
 * that a register dump can be read as "first argument was NULL".
 */

import type { IsaArch } from "./types.js";

export interface CallingConvention {
  /** argument registers, first argument first, full-width names as `normalizeRegister` gives */
  args: readonly string[];
  returnValue: string;
  name: string;
}

export const callingConventions: Readonly<Record<IsaArch, CallingConvention>> = {
  // The kernel uses the System V AMD64 ABI for C functions.
  x86_64: {
    name: "System V AMD64 (kernel)",
    args: ["rdi", "rsi", "rdx", "rcx", "r8", "r9"],
    returnValue: "rax",
  },
  // arch/x86/Makefile builds 32-bit kernels with -mregparm=3: three arguments in registers.
  i386: { name: "i386 kernel regparm(3)", args: ["eax", "edx", "ecx"], returnValue: "eax" },
  arm64: {
    name: "AAPCS64",
    args: ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"],
    returnValue: "x0",
  },
  arm: { name: "AAPCS", args: ["r0", "r1", "r2", "r3"], returnValue: "r0" },
};
