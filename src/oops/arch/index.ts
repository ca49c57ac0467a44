/**
 * @module oops/arch
 * The architectures whose oops formats the parser knows, most common first.
 */
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
