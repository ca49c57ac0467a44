/**
 * @module diagnose/dump/evidence
 * What only the dump knows, gathered for `analyze VMCORE`: the panicking task's unwound
 * stack, the registers of the exception it took and which slab objects they point into, the
 * crashing function's prototype from BTF, every blocked task's stack for a hang, every CPU's
 * stack for a lockup. Each item names the shell command that shows it in full
 * (`crashlens shell VMCORE -c '…'`), so a reader can check every claim.
 */
import { type Backtrace, backtrace, cpuTask, panicTask } from "../../kernel/backtrace.js";
import { declaration } from "../../kernel/btf/index.js";
import type { Kernel } from "../../kernel/kernel.js";
import { slabInfo } from "../../kernel/mm/slab.js";
import { kernelSymbolizer } from "../../kernel/modules/module-symbols.js";
import { moduleList, readModuleBtf } from "../../kernel/modules/modules.js";
import { filterTasks, type TaskTable, taskTable } from "../../kernel/tasks/index.js";
import { isUserPstate } from "../../kernel/unwind/arm64-regs.js";
import { type Frame, type FrameRegisters, PT_REGS_MEMBERS } from "../../kernel/unwind/index.js";
import type { Kind } from "../../oops/report.js";

export interface StackSummary {
  pid: number;
  comm: string;
  cpu: number;
  /** the task_struct address */
  task: string;
  /** innermost first: `name [module]` */
  frames: string[];
  /** why the unwind ended, when not at the stack's normal end */
  stopped?: string;
}

export interface SlabObjectFact {
  /** the register (or "fault address") holding the pointer */
  register: string;
  value: string;
  cache: string;
  objectStart: string;
  offset: number;
  state: "allocated" | "free" | "unknown";
  command: string;
}

export interface DumpEvidence {
  panicTask?: StackSummary & { command: string };
  /** the kernel-mode exception the panic task took: where, and its saved registers */
  exception?: { function: string; registers: Record<string, string>; command: string };
  /** registers of that exception frame that point into slab objects */
  objects: SlabObjectFact[];
  /** the function the exception interrupted, as BTF declares it */
  prototype?: { function: string; declaration: string; command: string };
  /** hung-task reports: every task in D state (TASK_UNINTERRUPTIBLE without NOLOAD) */
  blockedTasks?: { command: string; tasks: StackSummary[] };
  /** lockups and stalls: what each CPU was running */
  cpuStacks?: { command: string; stacks: StackSummary[] };
  /** what could not be read, so silence is explained */
  warnings: string[];
}

const hex = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, "0");
const HANG_KINDS: ReadonlySet<Kind> = new Set(["hung-task"] as Kind[]);
const LOCKUP_KINDS: ReadonlySet<Kind> = new Set([
  "soft-lockup",
  "hard-lockup",
  "rcu-stall",
] as Kind[]);
type RegisterValues = FrameRegisters["values"];

/**
 * Per architecture: where an exception frame keeps the interrupted pc, whether it was taken
 * in the kernel, and which general registers are worth a slab lookup (crash's order).
 */
const NOT_POINTERS: ReadonlySet<string> = new Set(["orig_rax", "rip", "cs", "rflags", "rsp", "ss"]);

interface ExceptionRegisters {
  /** the member holding the interrupted instruction's address */
  pc: string;
  /** how crash labels it: `[exception RIP: …]`, `PC: […]` */
  label: string;
  inKernel: (v: RegisterValues) => boolean;
  pointers: readonly string[];
}

const EXCEPTION_REGISTERS: Readonly<Record<string, ExceptionRegisters>> = {
  x86_64: {
    pc: "rip",
    label: "RIP",
    inKernel: (v) => v.cs !== undefined && (v.cs & 3n) === 0n,
    // the general-purpose members of pt_regs (not the IRET frame or orig_rax)
    pointers: PT_REGS_MEMBERS.filter((r) => !NOT_POINTERS.has(r)),
  },
  arm64: {
    pc: "pc",
    label: "PC",
    inKernel: (v) => v.pstate !== undefined && !isUserPstate(v.pstate),
    pointers: Array.from({ length: 31 }, (_, i) => `x${i}`),
  },
};

function registersOf(regs: FrameRegisters) {
  return EXCEPTION_REGISTERS[regs.arch ?? "x86_64"] ?? EXCEPTION_REGISTERS.x86_64;
}

/** the interrupted pc of a kernel-mode exception frame, if `frame` carries one */
function kernelPc(frame: Frame): bigint | undefined {
  const regs = frame.regs;
  if (regs === undefined) return undefined;
  const table = registersOf(regs);
  const values = regs.values as Record<string, bigint | undefined>;
  return table?.inKernel(regs.values) ? values[table.pc] : undefined;
}

/** at most this many tasks' stacks for a hang (a fleet machine can have thousands in D) */
const MAX_BLOCKED = 16;

function frameText(frame: Frame): string {
  const name = frame.symbol?.name ?? hex(frame.ip);
  return `${frame.reliable ? "" : "? "}${name}${frame.module === undefined ? "" : ` [${frame.module}]`}`;
}

type Namer = (address: bigint) => string;

/** frames as text, with the interrupted instruction of each kernel-mode exception after its entry */
function frameTexts(trace: Backtrace, name: Namer): string[] {
  const out: string[] = [];
  for (const frame of trace.frames) {
    out.push(frameText(frame));
    const pc = kernelPc(frame);
    const label = frame.regs === undefined ? "RIP" : registersOf(frame.regs)?.label;
    if (pc !== undefined) out.push(`[exception ${label}: ${name(pc)}]`);
  }
  return out;
}

function summary(trace: Backtrace, name: Namer): StackSummary {
  const out: StackSummary = {
    pid: trace.task.pid,
    comm: trace.task.comm,
    cpu: trace.task.cpu,
    task: hex(trace.task.address),
    frames: frameTexts(trace, name),
  };
  if (trace.stop.kind !== "end-of-stack" && trace.stop.kind !== "user-mode")
    out.stopped = trace.stop.detail;
  return out;
}

async function panicTrace(kernel: Kernel, table: TaskTable): Promise<Backtrace | undefined> {
  const task = await panicTask(kernel, table);
  return task === undefined ? undefined : backtrace(kernel, task);
}

/** the innermost kernel-mode exception frame with a full register set */
function kernelException(trace: Backtrace): Frame | undefined {
  return trace.frames.find((f) => f.regs?.full === true && kernelPc(f) !== undefined);
}

async function prototypeOf(kernel: Kernel, name: string, module: string | undefined) {
  let btf = await kernel.btf();
  if (module !== undefined) {
    const mod = (await moduleList(kernel)).modules.find((m) => m.name === module);
    const own =
      mod === undefined ? undefined : await readModuleBtf(kernel, mod).catch(() => undefined);
    if (own === undefined) return undefined;
    btf = own;
  }
  const bare = name.replace(/\.(cold|constprop|isra|part)(\.\d+)?$/, "");
  const found = btf
    .idsNamed(bare)
    .map((id) => btf.type(id))
    .find((t) => t.kind === "func");
  if (found === undefined) return undefined;
  return {
    function: bare,
    declaration: `${declaration(btf, found.type ?? 0, bare)};`,
    command: `whatis ${bare}`,
  };
}

/**
 * Gathers the dump's evidence for the report that led to the panic. Never throws: what
 * cannot be read becomes a warning.
 */
export async function collectDumpEvidence(
  kernel: Kernel,
  kind: Kind | undefined,
): Promise<DumpEvidence> {
  const evidence: DumpEvidence = { objects: [], warnings: [] };
  const note = (what: string, error: unknown): undefined => {
    evidence.warnings.push(`${what}: ${(error as Error).message ?? String(error)}`);
    return undefined;
  };
  let table: TaskTable;
  try {
    table = await taskTable(kernel);
  } catch (error) {
    note("tasks could not be listed, so no stacks were unwound", error);
    return evidence;
  }
  const symbolizer = await kernelSymbolizer(kernel);
  const name: Namer = (address) => {
    const at = symbolizer.symbolize(address);
    if (at === undefined) return hex(address);
    return `${at.name}+0x${at.offset.toString(16)}${at.module === undefined ? "" : ` [${at.module}]`}`;
  };
  const trace = await panicTrace(kernel, table).catch((e) => note("the panic task's stack", e));
  if (trace !== undefined) {
    evidence.panicTask = { ...summary(trace, name), command: "bt" };
    const frame = kernelException(trace);
    const regs = frame?.regs;
    const rip = frame === undefined ? undefined : kernelPc(frame);
    if (frame !== undefined && regs !== undefined && rip !== undefined) {
      const at = symbolizer.symbolize(rip);
      const where = name(rip);
      const registers: Record<string, string> = {};
      for (const [name, value] of Object.entries(regs.values))
        registers[name] = hex(value as bigint);
      evidence.exception = { function: where, registers, command: "bt" };
      const values = regs.values as Record<string, bigint | undefined>;
      for (const name of registersOf(regs)?.pointers ?? []) {
        const value = values[name];
        if (value === undefined || value < 0xffff800000000000n) continue;
        const info = await slabInfo(kernel, value).catch(() => undefined);
        if (info?.object === undefined) continue;
        evidence.objects.push({
          register: name,
          value: hex(value),
          cache: info.cache.name,
          objectStart: hex(info.object.start),
          offset: info.object.offset,
          state: info.state === "allocated" || info.state === "free" ? info.state : "unknown",
          command: `kmem ${hex(value)}`,
        });
      }
      if (at !== undefined) {
        const proto = await prototypeOf(kernel, at.name, at.module).catch(() => undefined);
        if (proto !== undefined) evidence.prototype = proto;
      }
    }
  }
  if (kind !== undefined && HANG_KINDS.has(kind)) {
    const blocked = filterTasks(table.tasks, { state: "UN" }).slice(0, MAX_BLOCKED);
    const tasks: StackSummary[] = [];
    for (const task of blocked) {
      const t = await backtrace(kernel, task).catch((e) => note(`pid ${task.pid}'s stack`, e));
      if (t) tasks.push(summary(t, name));
    }
    evidence.blockedTasks = { command: "foreach UN bt", tasks };
  }
  if (kind !== undefined && LOCKUP_KINDS.has(kind)) {
    const stacks: StackSummary[] = [];
    for (const cpu of table.cpus) {
      const task = await cpuTask(kernel, cpu.cpu, table).catch(() => undefined);
      if (task === undefined) continue;
      const t = await backtrace(kernel, task).catch((e) => note(`CPU ${cpu.cpu}'s stack`, e));
      if (t) stacks.push(summary(t, name));
    }
    evidence.cpuStacks = { command: "bt -a", stacks };
  }
  return evidence;
}
