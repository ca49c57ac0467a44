/**
 * @module kernel/backtrace
 * A task's or a CPU's kernel stack, from the dump alone: the unwinder (ORC tables of vmlinux
 * and every module) started from the CPU's saved registers for a task that was running, or
 * from `thread.sp` for one that was switched out; stack bounds from the task and the CPU's
 * IRQ and exception stacks; names from kallsyms and module symbols. This is what the shell's
 * `bt` prints and what `analyze` cites.
 */
import { CrashlensError } from "../errors.js";
import { panicCpu } from "./index.js";
import type { Kernel } from "./kernel.js";
import { kernelSymbolizer } from "./modules/module-symbols.js";
import { moduleList, orcModuleTables } from "./modules/modules.js";
import { currentTask, percpuLookup } from "./percpu.js";
import { cpuStacks, type StackRange, taskStack } from "./stacks.js";
import { type Task, type TaskTable, taskTable } from "./tasks/index.js";
import { arm64Backtrace } from "./unwind/arm64-setup.js";
import {
  type Frame,
  OrcTables,
  PT_REGS_KERNEL_NAMES,
  type PtRegName,
  type StopReason,
  stackClassifier,
  type UnwindContext,
  type UnwindMethod,
  unwind,
} from "./unwind/index.js";

export interface Backtrace {
  task: Task;
  /** the CPU whose registers started the unwind; undefined for a switched-out task */
  cpu?: number;
  frames: Frame[];
  stop: StopReason;
  method: UnwindMethod;
  /** how the unwind began: the CPU's saved registers, the task's `thread.sp` (x86-64) or
   * `thread.cpu_context` (arm64) */
  start: "registers" | "thread.sp" | "cpu_context";
  warnings: string[];
}

/** What every unwind on this kernel shares: ORC tables, symbols, pt_regs and frame layouts. */
interface UnwindSetup {
  base: Omit<UnwindContext, "stackOf">;
  inactive: { bp: number; ret_addr: number; size?: number };
  warnings: string[];
}

function setup(kernel: Kernel): Promise<UnwindSetup> {
  return kernel.facet("unwindSetup", async () => {
    const warnings: string[] = [];
    const [symbols, btf] = await Promise.all([kernel.symbols(), kernel.btf()]);
    const symbolizer = await kernelSymbolizer(kernel);
    warnings.push(...symbolizer.warnings);
    const orc = await OrcTables.fromKernel({
      read: kernel.memory.read,
      symbol: (name) => symbols.lookup(name)?.address,
      ...(kernel.view.release ? { release: kernel.view.release } : {}),
    });
    if (orc === undefined)
      warnings.push(
        "the kernel has no ORC tables (built with frame pointers?): unwinding by rbp chain",
      );
    else {
      const modules = await moduleList(kernel).catch(() => undefined);
      for (const table of modules === undefined ? [] : orcModuleTables(modules))
        if (!orc.addModule(table))
          warnings.push(`module ${table.name}: its ORC table is implausible, skipped`);
    }
    const ptRegsOffsets: Partial<Record<PtRegName, number>> = {};
    for (const [ours, theirs] of Object.entries(PT_REGS_KERNEL_NAMES)) {
      const offset = btf.offsetof("pt_regs", theirs);
      if (offset !== undefined) ptRegsOffsets[ours as PtRegName] = offset;
    }
    const frame = btf.find("struct inactive_task_frame");
    const bp = btf.offsetof("inactive_task_frame", "bp");
    const retAddr = btf.offsetof("inactive_task_frame", "ret_addr");
    if (frame === undefined || bp === undefined || retAddr === undefined)
      throw new CrashlensError(
        "unsupported",
        "BTF has no struct inactive_task_frame (kernels before 4.9): switched-out tasks cannot be unwound",
      );
    const base: Omit<UnwindContext, "stackOf"> = {
      read: kernel.memory.read,
      ...(orc === undefined ? {} : { orc }),
      symbolize: (address) => symbolizer.symbolize(address),
      ptRegsOffsets,
    };
    return {
      base,
      inactive: {
        bp,
        ret_addr: retAddr,
        ...(frame.size === undefined ? {} : { size: frame.size }),
      },
      warnings,
    };
  });
}

/** the registers a CPU saved in the dump, when the task was running there */
function savedRegisters(kernel: Kernel, cpu: number): Record<string, bigint> | undefined {
  return kernel.view.cpus.find((c) => c.cpu === cpu)?.registers;
}

/** the unwind of one task, per architecture (kernel.view.arch.name) */
const BACKTRACERS: Readonly<
  Record<"x86_64" | "arm64", (kernel: Kernel, task: Task) => Promise<Backtrace>>
> = {
  x86_64: x86Backtrace,
  arm64: arm64Backtrace,
};

/** Unwinds one task's kernel stack. */
export function backtrace(kernel: Kernel, task: Task): Promise<Backtrace> {
  return BACKTRACERS[kernel.view.arch?.name ?? "x86_64"](kernel, task);
}

/** x86-64: ORC (or the rbp chain) from the CPU's registers or `thread.sp` */
async function x86Backtrace(kernel: Kernel, task: Task): Promise<Backtrace> {
  const { base, inactive, warnings } = await setup(kernel);
  const ranges: StackRange[] = [];
  if (task.stack !== undefined) ranges.push(await taskStack(kernel, task.stack));
  ranges.push(...(await cpuStacks(kernel, task.cpu, percpuLookup(kernel)).catch(() => [])));
  const ctx: UnwindContext = { ...base, stackOf: stackClassifier(ranges) };
  const registers = task.active ? savedRegisters(kernel, task.cpu) : undefined;
  const own: string[] = [...warnings];
  if (registers !== undefined) {
    const result = await unwind(ctx, { kind: "registers", registers });
    return { task, cpu: task.cpu, ...result, start: "registers", warnings: own };
  }
  if (task.active)
    own.push(
      `CPU ${task.cpu}'s registers are not in the dump: unwinding from the task's saved thread.sp, which predates its last run`,
    );
  if (task.threadSp === undefined)
    throw new CrashlensError("not-found", `task ${task.pid} has no readable thread.sp`);
  const result = await unwind(ctx, { kind: "inactive", sp: task.threadSp, layout: inactive });
  return { task, ...result, start: "thread.sp", warnings: own };
}

/** The task running on `cpu` (rq->curr, else the per-CPU `current`), from the task table. */
export async function cpuTask(kernel: Kernel, cpu: number, table?: TaskTable): Promise<Task> {
  const tasks = table ?? (await taskTable(kernel));
  const rq = tasks.cpus.find((c) => c.cpu === cpu);
  const address = rq?.curr ?? (await currentTask(kernel, cpu));
  const task = address === undefined ? undefined : tasks.byAddress.get(address);
  if (task === undefined)
    throw new CrashlensError("not-found", `no task is known to be running on CPU ${cpu}`);
  return task;
}

/**
 * The task running on the panicking CPU: the kernel's `panic_cpu`, else (kallsyms without
 * data symbols, as on Debian's arm64 kernels) the CPU the log's panic names.
 */
export async function panicTask(kernel: Kernel, table?: TaskTable): Promise<Task | undefined> {
  const tasks = table ?? (await taskTable(kernel));
  await kernel.symbols(); // sets panicCpuVariable when panic_cpu is known
  const cpu = kernel.view.panicCpuVariable ?? panicCpu(kernel.view, (await kernel.log()).records);
  if (cpu !== undefined && cpu >= 0) return cpuTask(kernel, cpu, tasks).catch(() => undefined);
  return tasks.tasks.find((t) => t.active && kernel.view.cpus.some((c) => c.cpu === t.cpu));
}
