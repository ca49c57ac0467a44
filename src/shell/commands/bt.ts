/**
 * @module shell/commands/bt
 * `bt`: a task's kernel stack as crash prints it — `#N [slot] function at address [module]`,
 * the registers of each interrupt or exception frame, and with `-f`/`-F`/`-FF` the stack words
 * between frames (symbolic; `-FF` names the slab cache of heap pointers, `[addr:cache]`).
 * Stacks come from the dump alone (kernel/backtrace.ts: ORC, pt_regs, IRQ stacks).
 */
import { type Backtrace, backtrace, cpuTask, panicTask } from "../../kernel/backtrace.js";
import type { Kernel } from "../../kernel/kernel.js";
import { slabAnnotation } from "../../kernel/mm/slab.js";
import { kernelSymbolizer } from "../../kernel/modules/module-symbols.js";
import { findTasks, type Task, type TaskTable, taskTable } from "../../kernel/tasks/index.js";
import {
  type Frame,
  type FrameRegisters,
  type PtRegName,
  stripPac,
} from "../../kernel/unwind/index.js";
import {
  type CommandContext,
  type ParsedArgs,
  type ShellCommand,
  ShellCommandError,
} from "../command.js";
import { formatOffset } from "../settings.js";
import { taskHeader } from "./ps.js";

const KERNEL_HALF = 0xffff800000000000n;
const hex16 = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, "0");
const hexN = (v: bigint, width: number) => BigInt.asUintN(64, v).toString(16).padStart(width, "0");

/** crash's register block: rows of (label, value width), as x86_64_exception_frame() prints them */
const REGISTER_ROWS: readonly (readonly [PtRegName, string, number][])[] = [
  [
    ["rip", "RIP", 16],
    ["rsp", "RSP", 16],
    ["rflags", "RFLAGS", 8],
  ],
  [
    ["rax", "RAX", 16],
    ["rbx", "RBX", 16],
    ["rcx", "RCX", 16],
  ],
  [
    ["rdx", "RDX", 16],
    ["rsi", "RSI", 16],
    ["rdi", "RDI", 16],
  ],
  [
    ["rbp", "RBP", 16],
    ["r8", " R8", 16],
    ["r9", " R9", 16],
  ],
  [
    ["r10", "R10", 16],
    ["r11", "R11", 16],
    ["r12", "R12", 16],
  ],
  [
    ["r13", "R13", 16],
    ["r14", "R14", 16],
    ["r15", "R15", 16],
  ],
  [
    ["orig_rax", "ORIG_RAX", 16],
    ["cs", "CS", 4],
    ["ss", "SS", 4],
  ],
];

/** crash's names in `--- <IRQ stack> ---` */
const STACK_LABELS: Readonly<Record<string, string>> = {
  irq: "IRQ",
  softirq: "soft IRQ",
  exception: "exception",
  entry: "entry trampoline",
};

export interface BacktraceStyle {
  /** `-s`: name+offset instead of the bare name */
  offsets: boolean;
  radix: 10 | 16;
  /** `-f` 1, `-F` 2, `-FF` 3: print the stack words of each frame */
  words: 0 | 1 | 2 | 3;
  /** names a kernel text address: `run_posix_cpu_timers+164` (exception RIPs, `-F` words) */
  symbolizeText?: (address: bigint) => string | undefined;
}

/** the address printed after `at`: crash shows an arm64 return address's `bl` (ip − 4) */
const shownAddress = (frame: Frame): bigint => frame.callSite ?? frame.ip;

function frameName(frame: Frame, style: BacktraceStyle): string {
  if (frame.symbol === undefined) return hex16(shownAddress(frame));
  const shift = Number(frame.ip - shownAddress(frame));
  const offset = style.offsets ? formatOffset(frame.symbol.offset - shift, style.radix) : "";
  return `${frame.symbol.name}${offset}`;
}

/** crash's arm64_print_exception_frame(): PC/LR/SP (named in kernel mode), x29..x0 three a row */
function arm64RegisterLines(regs: FrameRegisters, style: BacktraceStyle): string[] {
  const v = regs.values;
  const reg = (name: string) => (v as Readonly<Record<string, bigint | undefined>>)[name] ?? 0n;
  const pstate = hexN(reg("pstate"), 8);
  const user = ((reg("pstate") >> 2n) & 3n) === 0n || ((reg("pstate") >> 4n) & 1n) === 1n;
  const named = (value: bigint) => {
    const name = style.symbolizeText?.(value);
    return name === undefined ? "[unknown or invalid address]" : `[${name}]`;
  };
  const lines = user
    ? [`     PC: ${hex16(reg("pc"))}   LR: ${hex16(reg("x30"))}   SP: ${hex16(reg("sp"))}`]
    : [
        `     PC: ${hex16(reg("pc"))}  ${named(reg("pc"))}`,
        `     LR: ${hex16(reg("x30"))}  ${named(reg("x30"))}`,
        `     SP: ${hex16(reg("sp"))}  PSTATE: ${pstate}`,
      ];
  for (let top = 29; top >= 0; top -= 3) {
    const cells: string[] = [];
    for (let i = top; i > top - 3 && i >= 0; i--)
      cells.push(`${i < 10 ? " " : ""}X${i}: ${hex16(reg(`x${i}`))}`);
    lines.push(`    ${cells.join("  ")}`);
  }
  const syscall = `    ORIG_X0: ${hex16(reg("orig_x0"))}  SYSCALLNO: ${reg("syscallno").toString(16)}`;
  lines.push(user ? `${syscall}  PSTATE: ${pstate}` : syscall);
  return lines;
}

function registerLines(regs: FrameRegisters, style: BacktraceStyle): string[] {
  if (regs.arch === "arm64") return arm64RegisterLines(regs, style);
  const lines: string[] = [];
  const rip = regs.values.rip;
  const cs = regs.values.cs;
  // a kernel-mode frame names the interrupted instruction; a user-mode one (syscall) does not
  if (rip !== undefined && (cs === undefined || (cs & 3n) === 0n))
    lines.push(`    [exception RIP: ${style.symbolizeText?.(rip) ?? hex16(rip)}]`);
  for (const row of REGISTER_ROWS) {
    const cells = row.flatMap(([name, label, width]) => {
      const value = regs.values[name];
      return value === undefined ? [] : [`${label}: ${hexN(value, width)}`];
    });
    if (cells.length > 0) lines.push(`    ${cells.join("  ")}`);
  }
  return lines;
}

/** the stack words from `from` (inclusive) to `to` (exclusive), two per line */
async function wordLines(
  kernel: Kernel,
  from: bigint,
  to: bigint,
  style: BacktraceStyle,
): Promise<string[]> {
  const count = Math.min(512, Number((to - from) / 8n));
  if (count <= 0) return [];
  let words: bigint[];
  try {
    words = await kernel.memory.words(from, count);
  } catch {
    return [`    ${hex16(from)}: (stack not in the dump)`];
  }
  const cells = await Promise.all(
    words.map(async (word) => {
      if (style.words >= 2) {
        const name = style.symbolizeText?.(word);
        if (name !== undefined) return name.padEnd(16);
        if (style.words >= 3) {
          const cache = await slabAnnotation(kernel, word);
          if (cache !== undefined) return `[${hex16(word)}:${cache}]`;
        }
      }
      return hex16(word);
    }),
  );
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 2)
    lines.push(`    ${hex16(from + BigInt(i * 8))}: ${cells.slice(i, i + 2).join(" ")} `);
  return lines;
}

/** One task's backtrace in crash's shape. */
export async function formatBacktrace(
  kernel: Kernel,
  trace: Backtrace,
  style: BacktraceStyle,
): Promise<string[]> {
  const lines = [taskHeader(trace.task)];
  const frames = trace.frames;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i] as Frame;
    const index = `${frame.index < 10 ? " " : ""}#${frame.index}`;
    const guess = frame.reliable ? "" : "? ";
    const module = frame.module === undefined ? "" : ` [${frame.module}]`;
    lines.push(
      `${index} [${hex16(frame.sp)}] ${guess}${frameName(frame, style)} at ${hex16(shownAddress(frame))}${module}`,
    );
    if (frame.regs !== undefined) lines.push(...registerLines(frame.regs, style));
    // crash marks where the unwind leaves an IRQ or exception stack for the one below
    const next = frames[i + 1];
    if (
      next !== undefined &&
      frame.stack !== undefined &&
      frame.stack !== "task" &&
      next.stack !== frame.stack
    )
      lines.push(`--- <${STACK_LABELS[frame.stack] ?? frame.stack} stack> ---`);
    if (style.words > 0) {
      const next = frames[i + 1];
      // x86: the words above the return slot; arm64 (crash's display_full_frame_v2): from the
      // frame record up to the next one
      const skip = trace.method === "frame-record" ? 0n : 8n;
      if (next !== undefined)
        lines.push(...(await wordLines(kernel, frame.sp + skip, next.sp + skip, style)));
    }
  }
  if (frames.length === 0) lines.push(`bt: no frames: ${trace.stop.detail}`);
  else if (trace.stop.kind !== "end-of-stack" && trace.stop.kind !== "user-mode")
    lines.push(`bt: the unwind stopped: ${trace.stop.detail}`);
  return lines;
}

/** crash's "current context": the task `set` chose, else the one running on the panicking CPU */
export async function contextTask(
  ctx: CommandContext,
  table: TaskTable,
): Promise<Task | undefined> {
  const chosen = ctx.settings.context;
  if (chosen !== undefined) {
    const task = table.byAddress.get(chosen);
    if (task !== undefined) return task;
  }
  return panicTask(ctx.kernel, table);
}

/** The style for flag letters (`fFFsxd`), with names from kallsyms and module symbols. */
export async function backtraceStyle(
  kernel: Kernel,
  flags: { f: boolean; F: number; s: boolean; radix: 10 | 16 },
): Promise<BacktraceStyle> {
  const symbolizer = await kernelSymbolizer(kernel);
  const pacMask = kernel.view.vmcoreinfo.numbers.get("KERNELPACMASK");
  return {
    offsets: flags.s,
    radix: flags.radix,
    words: flags.F >= 2 ? 3 : flags.F === 1 ? 2 : flags.f ? 1 : 0,
    symbolizeText: (raw) => {
      // arm64 saved return addresses carry pointer-authentication bits (KERNELPACMASK)
      const address = pacMask === undefined ? raw : stripPac(raw, pacMask);
      if (address < KERNEL_HALF) return undefined; // per-CPU symbols are small offsets
      const hit = symbolizer.symbolize(address);
      return hit === undefined ? undefined : `${hit.name}${formatOffset(hit.offset, flags.radix)}`;
    },
  };
}

function styleFor(ctx: CommandContext, args: ParsedArgs): Promise<BacktraceStyle> {
  return backtraceStyle(ctx.kernel, {
    f: args.has("f"),
    F: args.count("F"),
    s: args.has("s"),
    radix: args.has("x") ? 16 : args.has("d") ? 10 : ctx.settings.radix,
  });
}

/** Prints one task's stack; errors become one line and the loop goes on. */
export async function printTaskBacktrace(
  ctx: CommandContext,
  task: Task,
  style: BacktraceStyle,
): Promise<void> {
  try {
    const trace = await backtrace(ctx.kernel, task);
    ctx.out.write(`${(await formatBacktrace(ctx.kernel, trace, style)).join("\n")}\n`);
  } catch (error) {
    ctx.out.write(`${taskHeader(task)}\nbt: ${(error as Error).message}\n`);
  }
}

export const btCommand: ShellCommand = {
  name: "bt",
  summary: "backtrace",
  usage: "[-a|-c cpu(s)] [-fFs] [-x|-d] [pid | task]",
  options: [
    { flag: "a", description: "the stack of the task running on each CPU" },
    {
      flag: "c",
      value: "cpu",
      repeatable: true,
      description: "the task running on CPU(s): 1 or 0,2",
    },
    { flag: "f", description: "also the stack words of each frame" },
    {
      flag: "F",
      repeatable: true,
      description:
        "like -f, text addresses shown as symbols; -FF also slab objects as [address:cache]",
    },
    { flag: "s", description: "function names with their offset (name+offset)" },
    { flag: "x", description: "offsets in hexadecimal (with -s)" },
    { flag: "d", description: "offsets in decimal (with -s)" },
    { flag: "l", description: "source lines (not available: the dump carries no line tables)" },
  ],
  help: `Prints a task's kernel stack, unwound from the dump alone: ORC tables of vmlinux and of
each module, saved pt_regs of interrupts and exceptions (printed as crash prints them), the
CPU's IRQ and exception stacks. A task that was running starts from its CPU's registers as the
dump saved them (for a QEMU dump, that is where QEMU stopped the CPU — deeper than crash's
first frame, which it finds by searching the stack for panic()); a switched-out task starts
from its saved thread.sp. With no argument: the task running on the panicking CPU.
Frames marked "?" are guesses (stack words that look like return addresses).`,
  examples: `crashlens> bt
crashlens> bt -a
crashlens> bt 100
crashlens> bt -FF ffff8bec42af20c0`,
  async run(ctx, args) {
    if (args.has("l"))
      ctx.err.write("bt: -l: no source lines without DWARF debuginfo; printing without them\n");
    const style = await styleFor(ctx, args);
    const table = await taskTable(ctx.kernel);
    const chosen: Task[] = [];
    if (args.has("a")) {
      for (const cpu of table.cpus) {
        const task = await cpuTask(ctx.kernel, cpu.cpu, table).catch(() => undefined);
        if (task !== undefined) chosen.push(task);
      }
    }
    for (const list of args.values("c")) {
      for (const word of list.split(",")) {
        const range = /^(\d+)(?:-(\d+))?$/.exec(word.trim());
        if (!range) throw new ShellCommandError(`invalid cpu specification: ${word}`);
        const last = Number(range[2] ?? range[1]);
        for (let cpu = Number(range[1]); cpu <= last; cpu++) {
          const task = await cpuTask(ctx.kernel, cpu, table).catch((e: Error) => {
            ctx.err.write(`bt: CPU ${cpu}: ${e.message}\n`);
            return undefined;
          });
          if (task !== undefined) chosen.push(task);
        }
      }
    }
    for (const word of args.positional) {
      const found = findTasks(table, word);
      if (found.length === 0) throw new ShellCommandError(`invalid task or pid value: ${word}`);
      chosen.push(...found);
    }
    if (chosen.length === 0) {
      const task = await contextTask(ctx, table);
      if (task === undefined)
        throw new ShellCommandError(
          "no panic task or running task is known: give a pid or task address",
        );
      chosen.push(task);
    }
    for (const [i, task] of chosen.entries()) {
      if (ctx.signal.aborted) return;
      if (i > 0) ctx.out.write("\n");
      await printTaskBacktrace(ctx, task, style);
    }
  },
};
