/**
 * @module kernel/unwind/types
 * The shapes every unwinder in this folder shares: decoded ORC entries, the context a caller
 * supplies (memory, ORC lookup, symbols, stack classifier), where an unwind starts, and the
 * frames and stop reason it returns.
 */

/** `(address, length) → bytes`; throws when the dump does not hold the bytes */
export type ReadMemory = (address: bigint, length: number) => Promise<Uint8Array>;

/** ORC entry layouts: 1 = v4.14–6.2, 2 = v6.3, 3 = v6.4–7.0, 4 = v7.1+ (see orc-layouts.ts) */
export type OrcVersion = 1 | 2 | 3 | 4;

/** where the CFA (or the saved rbp) is found; names follow `ORC_REG_*` */
export type OrcRegister =
  | "undefined"
  | "prev-sp"
  | "ax"
  | "dx"
  | "di"
  | "bp"
  | "sp"
  | "r10"
  | "r13"
  | "bp-indirect"
  | "sp-indirect";

/**
 * `ORC_TYPE_*`, normalised to the 6.4+ set: v1/v2 entries with `sp_reg == UNDEFINED` become
 * "end-of-stack" when their `end` bit is set and "undefined" otherwise.
 */
export type OrcType = "undefined" | "end-of-stack" | "call" | "regs" | "regs-partial";

export interface OrcEntry {
  readonly spOffset: number;
  readonly bpOffset: number;
  readonly spReg: OrcRegister;
  readonly bpReg: OrcRegister;
  readonly type: OrcType;
  /** the frame was interrupted (v2+ bit; implied by REGS types in v1) */
  readonly signal: boolean;
}

/** what a table lookup found: the entry and which table it came from */
export interface OrcMatch {
  readonly entry: OrcEntry;
  /** first address the entry covers */
  readonly start: bigint;
  /** "vmlinux" or a module name */
  readonly table: string;
}

/** anything that maps an address to its ORC entry (OrcTables, or a test double) */
export interface OrcLookup {
  find(ip: bigint): Promise<OrcMatch | undefined>;
  /** the table ("vmlinux" or a module name) whose text holds `ip`, if any */
  textOwner(ip: bigint): string | undefined;
  /** true once module tables were added: then module text outside them is not text */
  readonly hasModules?: boolean;
}

export interface SymbolInfo {
  readonly name: string;
  readonly offset: number;
  readonly size?: number;
  /** module name for module text */
  readonly module?: string;
}

/** what kind of stack an address is on; the caller knows the per-CPU and per-task ranges */
export type StackKind = "task" | "irq" | "softirq" | "exception" | "entry" | (string & {});

export interface StackRange {
  readonly kind: StackKind;
  /** which one, when a kind has several per CPU ("NMI", "DF", … for exception stacks) */
  readonly name?: string;
  /** lowest address of the stack */
  readonly start: bigint;
  /** one past the highest address */
  readonly end: bigint;
}

export type StackOf = (sp: bigint) => StackRange | undefined;

export interface UnwindContext {
  readonly read: ReadMemory;
  /** ORC tables; without them the frame-pointer unwinder is used */
  readonly orc?: OrcLookup;
  readonly symbolize?: (address: bigint) => SymbolInfo | undefined;
  /**
   * classifies a stack address; when absent the unwind may only move up (sp increasing), so
   * stack switches end it
   */
  readonly stackOf?: StackOf;
  /** is this a kernel text address (for guesses and scans); default: ORC tables or symbols */
  readonly isText?: (address: bigint) => boolean;
  /** default 256 */
  readonly maxFrames?: number;
  /** pt_regs member offsets when they differ from the x86-64 layout (pt-regs.ts) */
  readonly ptRegsOffsets?: Readonly<Partial<Record<PtRegName, number>>>;
  /** which walker reads the stack (unwind.ts's table); default "x86_64" */
  readonly arch?: UnwindArch;
  /** arm64 only: PAC mask, pt_regs layout, THREAD_SIZE (arm64-regs.ts) */
  readonly arm64?: Arm64UnwindLayout;
}

/** the architectures `unwind()` has a walker for */
export type UnwindArch = "x86_64" | "arm64";

/** `struct pt_regs` on arm64 (arch/arm64/include/asm/ptrace.h), offsets from BTF */
export interface Arm64PtRegsLayout {
  /** `regs[31]`: x0..x30 */
  readonly regs: number;
  readonly sp: number;
  readonly pc: number;
  readonly pstate: number;
  /** `stackframe`: the frame record entry code links the fp chain through (v4.14+) */
  readonly stackframe: number;
  readonly orig_x0?: number;
  readonly syscallno?: number;
  /** sizeof(struct pt_regs) */
  readonly size: number;
  /**
   * the stackframe is a `struct frame_record_meta` (v6.13+): {0, 0, type}, type 1 = final,
   * 2 = pt_regs; older kernels store {x29, pc} of the interrupted context (el1) or {0, 0}
   */
  readonly metaRecord?: boolean;
}

export interface Arm64UnwindLayout {
  /** `NUMBER(KERNELPACMASK)`: bits a pointer-authentication code may occupy in a saved lr */
  readonly pacMask: bigint;
  readonly ptRegs: Arm64PtRegsLayout;
  /** THREAD_SIZE: a task stack's size, for its top pt_regs (default 16 KiB) */
  readonly threadSize?: bigint;
}

/** member offsets of `struct inactive_task_frame` (from BTF); only `bp` and `ret_addr` are needed */
export interface InactiveFrameLayout {
  readonly bp: number;
  readonly ret_addr: number;
  /** sizeof(struct inactive_task_frame); default ret_addr + 8 (it is the last member) */
  readonly size?: number;
}

export type UnwindStart =
  /** a CPU's saved registers (NT_PRSTATUS names: rip, rsp, rbp, rax, …) */
  | { readonly kind: "registers"; readonly registers: Readonly<Record<string, bigint>> }
  /** a sleeping task: `task->thread.sp` points at its `struct inactive_task_frame` */
  | { readonly kind: "inactive"; readonly sp: bigint; readonly layout: InactiveFrameLayout }
  /**
   * arm64: a switched-out task's `thread.cpu_context` (saved by cpu_switch_to): pc is the
   * return address into __switch_to, fp its frame record, sp its stack pointer
   */
  | { readonly kind: "cpu-context"; readonly pc: bigint; readonly sp: bigint; readonly fp: bigint };

/** pt_regs members, named as crash and NT_PRSTATUS name them */
export type PtRegName =
  | "r15"
  | "r14"
  | "r13"
  | "r12"
  | "rbp"
  | "rbx"
  | "r11"
  | "r10"
  | "r9"
  | "r8"
  | "rax"
  | "rcx"
  | "rdx"
  | "rsi"
  | "rdi"
  | "orig_rax"
  | "rip"
  | "cs"
  | "rflags"
  | "rsp"
  | "ss";

/** arm64 pt_regs members, as crash names them: x0..x30, sp, pc, pstate, orig_x0, syscallno */
export type Arm64RegName = `x${number}` | "sp" | "pc" | "pstate" | "orig_x0" | "syscallno";

export interface FrameRegisters {
  /** address of the `struct pt_regs` */
  readonly address: bigint;
  /** false for an IRET frame (REGS_PARTIAL): only rip, cs, rflags, rsp and ss were saved */
  readonly full: boolean;
  readonly values: Readonly<Partial<Record<PtRegName | Arm64RegName, bigint>>>;
  /** whose pt_regs these are (default x86_64): says which names `values` uses */
  readonly arch?: UnwindArch;
}

export type FrameKind =
  /** frame 0 of a register start: ip and sp are the registers themselves */
  | "registers"
  /** ip was read from the stack slot `sp` (a return address) */
  | "return"
  /** an interrupted ip with no frame of its own (only when exception frames nest) */
  | "interrupted"
  /** a text address found by scanning the stack: a guess, crash's `?` */
  | "scanned";

export interface Frame {
  readonly index: number;
  readonly kind: FrameKind;
  /**
   * the slot the return address was read from (crash's `#N [slot]`); the rsp for "registers".
   * arm64: the frame's own frame record (x29 in that function), which crash prints there
   */
  readonly sp: bigint;
  readonly ip: bigint;
  /**
   * arm64: the branch-and-link before a return address (ip − 4), which crash prints after
   * `at`; the kernel's own traces print ip, as x86's do
   */
  readonly callSite?: bigint;
  /** ip's symbol; for return addresses looked up at ip − 1 like the kernel's %pB */
  readonly symbol?: SymbolInfo;
  readonly module?: string;
  /** which stack `sp` is on, when the caller's classifier knows */
  readonly stack?: StackKind;
  /** false for scanned frames and for frames after a guess */
  readonly reliable: boolean;
  /** the interrupt/exception registers saved above this frame (crash's `[exception RIP: …]`) */
  regs?: FrameRegisters;
}

/** why an unwind stopped; the first two are the normal ends of a kernel stack */
export type StopKind =
  | "end-of-stack"
  | "user-mode"
  | "frame-limit"
  | "no-unwind-info"
  | "not-text"
  | "unreadable"
  | "register-unknown"
  | "bad-orc"
  | "sp-not-increasing"
  | "sp-off-stack"
  | "stack-revisited"
  | "zero-ip"
  | "bad-start"
  /** arm64: a frame pointer that is not 8-byte aligned, so not a frame record */
  | "bad-frame-record"
  /** a bug, or a caller callback (symbolize, stackOf) that threw */
  | "internal-error";

export interface StopReason {
  readonly kind: StopKind;
  /** one line for people: what was being done and at which address */
  readonly detail: string;
}

export interface UnwindResult {
  readonly frames: Frame[];
  readonly stop: StopReason;
  /** which unwinder produced the frames */
  readonly method: UnwindMethod;
}

/** ORC and the rbp chain on x86-64, frame records on arm64 */
export type UnwindMethod = "orc" | "frame-pointer" | "frame-record";
