/**
 * @module kernel/backtrace
 * A task's or a CPU's kernel stack, from the dump alone: the unwinder (ORC tables of vmlinux
 * and every module) started from the CPU's saved registers for a task that was running, or
 * from `thread.sp` for one that was switched out; stack bounds from the task and the CPU's
 * IRQ and exception stacks; names from kallsyms and module symbols. This is what the shell's
 * `bt` prints and what `analyze` cites.
 */
import { CrashlensError } from "../errors.js";
import type { Kernel } from "./kernel.js";
import { kernelSymbolizer } from "./modules/module-symbols.js";
import { moduleList, orcModuleTables } from "./modules/modules.js";
import { currentTask, percpuLookup } from "./percpu.js";
import { cpuStacks, type StackRange, taskStack } from "./stacks.js";
import { type Task, type TaskTable, taskTable } from "./tasks/index.js";
import {
  type Frame,
  OrcTables,
  PT_REGS_KERNEL_NAMES,
  type PtRegName,
  type StopReason,
  stackClassifier,
  type UnwindContext,
  unwind,
} from "./unwind/index.js";

export interface Backtrace {
  task: Task;
  /** the CPU whose registers started the unwind; undefined for a switched-out task */
  cpu?: number;
  frames: Frame[];
  stop: StopReason;
  method: "orc" | "frame-pointer";
  /** how the unwind began: the CPU's saved registers, or the task's `thread.sp` */
  start: "registers" | "thread.sp";
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

/** Unwinds one task's kernel stack. */
export async function backtrace(kernel: Kernel, task: Task): Promise<Backtrace> {
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
