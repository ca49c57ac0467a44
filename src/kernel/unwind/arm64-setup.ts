/**
 * @module kernel/unwind/arm64-setup
 * What an arm64 backtrace needs from the kernel, read once: the PAC mask (VMCOREINFO
 * `NUMBER(KERNELPACMASK)`), `struct pt_regs` and `struct cpu_context` offsets (BTF), the
 * text ranges (kallsyms and module text), THREAD_SIZE; then per task where the walk starts
 * (its CPU's NT_PRSTATUS registers when it was running, else `thread.cpu_context`) and which
 * stacks it may visit (the task stack, the CPU's IRQ and overflow stacks when the per-CPU
 * symbols are known, else the THREAD_SIZE block the CPU's sp was on).
 */
import { CrashlensError } from "../../errors.js";
import type { Backtrace } from "../backtrace.js";
import type { Kernel } from "../kernel.js";
import { kernelSymbolizer } from "../modules/module-symbols.js";
import { percpuAddress } from "../percpu.js";
import { threadSize } from "../stacks.js";
import type { Task } from "../tasks/index.js";
import { ARM64_PT_REGS_DEFAULT } from "./arm64-regs.js";
import { stackClassifier } from "./stacks.js";
import type {
  Arm64PtRegsLayout,
  Arm64UnwindLayout,
  StackRange,
  UnwindContext,
  UnwindStart,
} from "./types.js";
import { unwind } from "./unwind.js";

/** arch/arm64/include/asm/stacktrace/common.h: OVERFLOW_STACK_SIZE is SZ_4K */
const OVERFLOW_STACK_SIZE = 4096n;

interface Arm64Setup {
  readonly base: Omit<UnwindContext, "stackOf">;
  readonly cpuContext: { readonly fp: number; readonly sp: number; readonly pc: number };
  readonly threadSize: bigint;
  readonly warnings: readonly string[];
}

/** pt_regs offsets from BTF, each falling back to v6.1's */
function ptRegsLayout(btf: Awaited<ReturnType<Kernel["btf"]>>): Arm64PtRegsLayout {
  const at = (member: string, fallback: number) => btf.offsetof("pt_regs", member) ?? fallback;
  const d = ARM64_PT_REGS_DEFAULT;
  return {
    regs: at("regs", d.regs),
    sp: at("sp", d.sp),
    pc: at("pc", d.pc),
    pstate: at("pstate", d.pstate),
    stackframe: at("stackframe", d.stackframe),
    orig_x0: at("orig_x0", d.orig_x0 ?? 0x110),
    syscallno: at("syscallno", d.syscallno ?? 0x118),
    size: btf.find("struct pt_regs")?.size ?? d.size,
    // Linux v6.13 made pt_regs::stackframe a struct frame_record_meta
    metaRecord: btf.find("struct frame_record_meta") !== undefined,
  };
}

/**
 * For addresses several vmlinux symbols share, the first in kallsyms order: the kernel's
 * get_symbol_pos() names that one (`__switch_to`, not the `__sched_text_start` marker at the
 * same address), and so do its Call traces.
 */
function firstAliases(symbols: Awaited<ReturnType<Kernel["symbols"]>>): Map<bigint, string> {
  const seen = new Map<bigint, string>();
  const shared = new Map<bigint, string>();
  for (const s of symbols.symbols()) {
    const known = seen.get(s.address);
    if (known === undefined) seen.set(s.address, s.name);
    else if (!shared.has(s.address)) shared.set(s.address, known);
  }
  return shared;
}

function setup(kernel: Kernel): Promise<Arm64Setup> {
  return kernel.facet("unwindSetup.arm64", async () => {
    const [symbols, btf] = await Promise.all([kernel.symbols(), kernel.btf()]);
    const symbolizer = await kernelSymbolizer(kernel);
    const warnings = [...symbolizer.warnings];
    const at = (name: string) => symbols.lookup(name)?.address;
    const text = [
      [at("_stext") ?? at("_text"), at("_etext")],
      [at("_sinittext"), at("_einittext")],
    ].filter((r): r is [bigint, bigint] => r[0] !== undefined && r[1] !== undefined);
    const pacMask = kernel.view.vmcoreinfo.numbers.get("KERNELPACMASK") ?? 0n;
    const size = await threadSize(kernel);
    const layout: Arm64UnwindLayout = { pacMask, ptRegs: ptRegsLayout(btf), threadSize: size };
    const member = (name: string) => btf.offsetof("task_struct", `thread.cpu_context.${name}`);
    const fp = member("fp");
    const sp = member("sp");
    const pc = member("pc");
    if (fp === undefined || sp === undefined || pc === undefined)
      throw new CrashlensError(
        "unsupported",
        "BTF has no task_struct.thread.cpu_context.{fp,sp,pc}: switched-out tasks cannot be unwound",
      );
    const first = firstAliases(symbols);
    const base: Omit<UnwindContext, "stackOf"> = {
      read: kernel.memory.read,
      symbolize: (address) => {
        const hit = symbolizer.symbolize(address);
        if (hit === undefined || hit.module !== undefined) return hit;
        const name = first.get(address - BigInt(hit.offset));
        return name === undefined ? hit : { ...hit, name };
      },
      // kernel text: the image's text sections, or module text the symbolizer names
      isText: (address) =>
        text.some(([start, end]) => address >= start && address < end) ||
        symbolizer.symbolize(address)?.module !== undefined,
      arch: "arm64",
      arm64: layout,
    };
    return { base, cpuContext: { fp, sp, pc }, threadSize: size, warnings };
  });
}

/** the CPU's IRQ and overflow stacks, when the per-CPU symbols are in kallsyms */
async function cpuStacks(kernel: Kernel, cpu: number, size: bigint): Promise<StackRange[]> {
  const ranges: StackRange[] = [];
  const irqPtr = await percpuAddress(kernel, "irq_stack_ptr", cpu).catch(() => undefined);
  const irq = irqPtr === undefined ? 0n : await kernel.memory.u64(irqPtr).catch(() => 0n);
  if (irq !== 0n) ranges.push({ kind: "irq", name: "IRQ", start: irq, end: irq + size });
  const overflow = await percpuAddress(kernel, "overflow_stack", cpu).catch(() => undefined);
  if (overflow !== undefined)
    ranges.push({
      kind: "overflow",
      name: "OVERFLOW",
      start: overflow,
      end: overflow + OVERFLOW_STACK_SIZE,
    });
  return ranges;
}

/** Unwinds one task's kernel stack on arm64 (the `Backtrace` shape x86-64 gives). */
export async function arm64Backtrace(kernel: Kernel, task: Task): Promise<Backtrace> {
  const { base, cpuContext, threadSize: size, warnings } = await setup(kernel);
  const own = [...warnings];
  const ranges: StackRange[] = [];
  if (task.stack !== undefined)
    ranges.push({ kind: "task", start: task.stack, end: task.stack + size });
  ranges.push(...(await cpuStacks(kernel, task.cpu, size)));
  const registers = task.active
    ? kernel.view.cpus.find((c) => c.cpu === task.cpu)?.registers
    : undefined;
  if (registers !== undefined) {
    const sp = registers.sp;
    // a CPU stopped in an interrupt is on a stack no symbol told us about: its own block
    if (sp !== undefined && !ranges.some((r) => sp >= r.start && sp < r.end)) {
      const start = sp & ~(size - 1n);
      ranges.push({ kind: "irq", name: "IRQ", start, end: start + size });
      own.push(
        `CPU ${task.cpu}'s sp ${sp.toString(16)} is outside the task's stack: taken as its IRQ stack (irq_stack_ptr is not in kallsyms)`,
      );
    }
    const ctx: UnwindContext = { ...base, stackOf: stackClassifier(ranges) };
    const start: UnwindStart = { kind: "registers", registers };
    const result = await unwind(ctx, start);
    return { task, cpu: task.cpu, ...result, start: "registers", warnings: own };
  }
  if (task.active)
    own.push(
      `CPU ${task.cpu}'s registers are not in the dump: unwinding from the task's saved cpu_context, which predates its last run`,
    );
  const field = (offset: number) =>
    kernel.memory.u64(task.address + BigInt(offset)).catch((error: Error) => {
      throw new CrashlensError(
        "not-found",
        `task ${task.pid}: thread.cpu_context is unreadable: ${error.message}`,
      );
    });
  const ctx: UnwindContext = { ...base, stackOf: stackClassifier(ranges) };
  const start: UnwindStart = {
    kind: "cpu-context",
    fp: await field(cpuContext.fp),
    sp: await field(cpuContext.sp),
    pc: await field(cpuContext.pc),
  };
  const result = await unwind(ctx, start);
  return { task, ...result, start: "cpu_context", warnings: own };
}
