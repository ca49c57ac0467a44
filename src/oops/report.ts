/**
 * @module oops/report
 * The one model every input becomes. Its JSON form (see README "The JSON contract") is a
 * public contract: names here are fixed, new fields may be added.
 */

/** What kind of crash a report is; one value per crash class, `other` for the rest. */
export const KINDS = [
  "null-deref",
  "paging-request",
  "general-protection",
  "kernel-bug",
  "warning",
  "soft-lockup",
  "hard-lockup",
  "rcu-stall",
  "hung-task",
  "kasan",
  "ubsan",
  "list-corruption",
  "divide-error",
  "invalid-opcode",
  "double-fault",
  "stack-overflow",
  "oom",
  "panic",
  "other",
] as const;
export type Kind = (typeof KINDS)[number];

export type Arch = "x86_64" | "i386" | "arm64" | "arm" | "ppc64" | "s390x" | "riscv64" | "unknown";

/** Which stack a frame ran on, from IRQ/NMI markers and softirq entry frames. */
export type FrameContext = "task" | "irq" | "softirq" | "nmi" | "exception";

/** A code location as the kernel prints it: `name+0xoff/0xsize [module]`. */
export interface Location {
  symbol?: string;
  offset?: number;
  size?: number;
  module?: string | null;
  /** absolute address as `0x…`, when printed */
  address?: string;
}

export interface Frame extends Location {
  /** false for frames printed with `?` (found on the stack, not proven by the unwinder) */
  reliable: boolean;
  context: FrameContext;
  /** input line the frame was read from */
  line: number;
  /** `file:line` when the log was already symbolised */
  source?: string;
  /** the frame is an inlined call (symbolised logs mark these `[inline]`) */
  inline?: boolean;
}

export interface Taint {
  letter: string;
  meaning: string;
}

export interface KernelInfo {
  release?: string;
  /** the taint string as printed: "G W OE", "Not tainted" → undefined */
  tainted?: string;
  taints: Taint[];
  hardware?: string;
  /** build number and flags after the release: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2" */
  build?: string;
  /** KASLR offset from "Kernel Offset: 0x…", or "disabled" */
  offset?: string;
}

export interface TaskInfo {
  pid?: number;
  comm?: string;
  cpu?: number;
  /** "events foo_work_fn" when the task was a workqueue worker */
  workqueue?: string;
}

/** x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h). */
export interface ErrorCode {
  value: number;
  present: boolean;
  write: boolean;
  user: boolean;
  reservedBit: boolean;
  instructionFetch: boolean;
  protectionKey: boolean;
  shadowStack: boolean;
  sgx: boolean;
  /** the kernel's own words from `#PF:` lines, when printed */
  description?: string;
}

export interface CodeBytes {
  /** hex bytes (or words) as printed, marker removed */
  bytes: string;
  /** index of the faulting unit within `bytes` (in units, see `unit`) */
  faultIndex: number;
  /** bytes per unit: 1 on x86, 4 on arm64 */
  unit: 1 | 2 | 4;
}

export interface ModuleInfo {
  name: string;
  /** taint flags printed after the name, e.g. "OE" for `buggy(OE)` */
  flags?: string;
}

export interface LineSpan {
  start: number;
  end: number;
}

/** Facts from a pasted `crash` session (see crash-session/session.ts). */
export type { Session } from "./crash-session/session.js";

export interface Report {
  kind: Kind;
  /** syzkaller-compatible title: class + " in " + the first non-generic frame */
  title: string;
  altTitles: string[];
  corrupted: boolean;
  /** why the report is marked corrupted */
  corruptedReason?: string;
  /** 1-based line span in the input */
  lines: LineSpan;
  arch: Arch;
  /** the line that opened the report */
  header: { text: string; line: number };
  /** printk timestamp of the header line, seconds since boot */
  timestamp?: number;
  kernel: KernelInfo;
  task: TaskInfo;
  /** where the CPU was: the RIP/pc line, or a crash session's exception frame */
  ip?: Location & { line: number };
  /** the address whose access faulted, as `0x…` */
  faultAddress?: string;
  errorCode?: ErrorCode;
  /** registers of the faulting context, lower-case names, `0x…` values */
  registers: Record<string, string>;
  code?: CodeBytes & { line: number };
  trace: Frame[];
  modules: ModuleInfo[];
  /** the source position a BUG()/WARN() names: "kernel BUG at kernel/timer.c:1105!"; a
   * WARNING header also names the function that raised it ("at kernel/exit.c:812
   * do_exit+0x75c/0x8a4 [mod]"), the one place some stacks (ARM32's) say it */
  assertion?: { file: string; line: number; function?: string; module?: string };
  /** lines printed just before the header that belong to the report ("cut here", …) */
  leadIn?: Array<{ line: number; text: string }>;
  /** the kernel went on to panic: the panic message and its line */
  panic?: { message: string; line: number };
  session?: import("./crash-session/session.js").Session;
  /** later copies of this same report in the input (same header, same time, same registers),
   * the first hundred of them */
  repeats?: LineSpan[];
  /** how many later copies there are in all */
  repeatCount?: number;
  /** an OOM kill's facts: who asked, the gfp mask and order, global or memcg, the victim */
  oom?: import("./fields/oom.js").OomFacts;
  /** oddities that did not stop parsing */
  warnings: string[];
  /** where each scalar field was read, for evidence: "registers.rax" → line */
  sourceLines: Record<string, number>;
}
