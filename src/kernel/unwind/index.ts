/**
 * @module kernel/unwind
 * x86-64 stack unwinding from a dump's own memory, with no debuginfo: ORC tables of the kernel
 * and its modules, pt_regs of interrupts and exceptions, IRQ/exception stack switches, the
 * rbp chain for frame-pointer kernels, and a `?` stack scan as the last resort. Struct
 * offsets (module, inactive_task_frame, pt_regs) come from the caller, who reads them in BTF.
 *
 * ```ts
 * const symbol = (n: string) => syms.lookup(n)?.address;
 * const orc = await OrcTables.fromKernel({ read, symbol, release });   // undefined: no ORC
 * for (const m of moduleTables) orc?.addModule(m); // struct module.arch (kernel/modules)
 * const stackOf = stackClassifier(ranges); // task, IRQ and exception stacks (kernel/stacks)
 * const ctx = { read, orc, symbolize: (a) => syms.symbolize(a), stackOf };
 * // a CPU (NT_PRSTATUS), or a sleeping task (never a running one: its thread.sp is stale)
 * const { frames, stop } = await unwind(ctx, { kind: "registers", registers: cpu.registers });
 * const sleeping = await unwind(ctx, { kind: "inactive", sp: threadSp, layout: { bp: 40, ret_addr: 48 } });
 * const kernelStyle = await withGuesses(ctx, frames);                  // with `?` lines
 * ```
 */
export { walkFrameRecords } from "./arm64.js";
export { ARM64_EXCEPTION_ENTRIES, isExceptionEntry } from "./arm64-entry.js";
export {
  ARM64_DEFAULT_THREAD_SIZE,
  ARM64_PT_REGS_DEFAULT,
  followsArm64Call,
  isCallInstruction,
  isUserPstate,
  isUserRegs,
  readArm64PtRegs,
  stripPac,
} from "./arm64-regs.js";
export { scanArm64Stack } from "./arm64-scan.js";
export { endsWithCall, followsCall } from "./call-site.js";
export { type GuessOptions, withGuesses } from "./guesses.js";
export {
  decodeOrcEntry,
  encodeOrcEntry,
  ORC_ENTRY_SIZE,
  ORC_LAYOUTS,
  type OrcLayout,
} from "./orc-layouts.js";
export {
  ORC_SYMBOLS,
  type OrcModuleTables,
  OrcTables,
  type OrcTablesOptions,
} from "./orc-tables.js";
export {
  detectOrcVersion,
  type OrcVersionVerdict,
  versionFromHeader,
  versionFromRelease,
  versionsFromFpEntry,
} from "./orc-version.js";
export {
  IRET_MEMBERS,
  isUserMode,
  PT_REGS_KERNEL_NAMES,
  PT_REGS_MEMBERS,
  PT_REGS_SIZE,
  readPtRegs,
} from "./pt-regs.js";
export { type ScanOptions, scanStack } from "./scan.js";
export { stackClassifier } from "./stacks.js";
export type * from "./types.js";
export { UNWINDERS, type UnwindOptions, unwind } from "./unwind.js";
