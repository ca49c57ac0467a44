/**
 * @module oops/crash-session/session
 * Facts read from a pasted `crash` utility session: the `sys` summary, backtraces with
 * their exception frames, disassembly, structure dumps and memory reads.
 */
import type { LineSpan } from "../report.js";

export interface CrashFrame {
  /** the "#N" number */
  index: number;
  /** stack address of the frame */
  stack?: string;
  symbol: string;
  /** byte offset into the symbol when crash printed one (exception RIPs) */
  offset?: number;
  address?: string;
  module?: string;
  line: number;
}

export interface ExceptionFrame {
  /** "[exception RIP: skb_entail+82]" → symbol and decimal offset */
  symbol: string;
  offset?: number;
  registers: Record<string, string>;
  /** the input line of each register */
  registerLines: Record<string, number>;
  /** the `#N` frame the exception record follows */
  afterFrame?: number;
  line: number;
}

export interface Backtrace {
  pid?: number;
  task?: string;
  cpu?: number;
  command?: string;
  frames: CrashFrame[];
  exceptions: ExceptionFrame[];
  /** "--- <IRQ stack> ---" markers: the stack they close, and after which frame */
  stackSwitches: Array<{ stack: string; afterFrame: number; line: number }>;
  line: number;
}

export interface DisassemblyLine {
  address: string;
  symbol?: string;
  offset?: number;
  /** the instruction as crash printed it, spaces folded: "mov 0x140(%r15),%ecx" */
  instruction: string;
  /** "kernel/posix-cpu-timers.c:1292" from `dis -l` */
  source?: string;
  line: number;
}

export interface StructDump {
  /** what was printed: "struct timer_list ffff88102ee1fe58", "((struct sock *) 0x…)->sk_write_queue" */
  expression: string;
  /** type name when known */
  type?: string;
  address?: string;
  /** flattened members: "entry.next" → "0x0", "function" → "0xffffffff8157f8c0 <neigh_timer_handler>" */
  fields: Record<string, string>;
  /** input line of each member */
  fieldLines: Record<string, number>;
  line: number;
}

export interface MemoryRead {
  address: string;
  values: string[];
  line: number;
}

export interface Session {
  lines: LineSpan;
  /** the crash commands seen, with the line of each prompt */
  commands: Array<{ command: string; line: number }>;
  /** `sys` output: KERNEL, DUMPFILE, CPUS, DATE, …, PANIC (unquoted) */
  sys: Record<string, string>;
  sysLines: Record<string, number>;
  backtraces: Backtrace[];
  disassembly: DisassemblyLine[];
  structs: StructDump[];
  memory: MemoryRead[];
  /** `kmem -o` per-CPU offsets and other "name: value" facts */
  values: Record<string, string>;
}
