/**
 * @module oops/arch
 * The architectures whose oops formats the parser knows, most common first.
 */

import type { Arch } from "../report.js";
import { arm } from "./arm.js";
import { arm64 } from "./arm64.js";
import { i386 } from "./i386.js";
import { ppc64 } from "./ppc64.js";
import { riscv64 } from "./riscv64.js";
import { s390x } from "./s390x.js";
import type { ArchSpec } from "./types.js";
import { x86_64 } from "./x86_64.js";

export const archSpecs: readonly ArchSpec[] = [x86_64, arm64, i386, arm, ppc64, s390x, riscv64];
export type { ArchSpec } from "./types.js";

/**
 * Program-counter lines that more than one architecture prints. Such a line only guesses the
 * architecture: the one the release names, else the one whose pointer width the report has
 * shown (pointerLines), else the first listed. The register dump or an arch's own pc line
 * then settles it.
 */
export const sharedIpLines: ReadonlyArray<{ line: RegExp; arches: readonly Arch[] }> = [
  // 32-bit arm prints it still; arm64 printed it before 4.16 ("PC is at", "LR is at")
  { line: /^\s*PC is at (.*)$/, arches: ["arm", "arm64"] },
  // x86's page-fault line since 4.10 names the function alone: "IP: skb_release_data+0x258/0x470"
  { line: /^\s*IP: (?!\[<)(.*)$/, arches: ["x86_64", "i386"] },
];

/**
 * Lines that print a kernel pointer on every architecture, before the pc line: how wide the
 * pointer is tells a 32-bit kernel from a 64-bit one. arm64 4.4: "pgd = ffffffc0edcf1000",
 * "task: ffffffc0d29e3400 task.stack: …"; arm: "pgd = e8a60000", "task: ed16dd80 ti: …".
 */
export const pointerLines: readonly RegExp[] = [
  /^\s*pgd = ([0-9a-f]{8}|[0-9a-f]{16})\s*$/,
  /^\s*task: ([0-9a-f]{8}|[0-9a-f]{16}) /,
];
