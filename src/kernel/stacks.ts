/**
 * @module kernel/stacks
 * Where kernel stacks are, so an unwinder knows which stack a stack pointer is on and when
 * it has left one: each task's stack, and per CPU the hard-IRQ stack and the exception
 * (IST) stacks in the cpu_entry_area. Sizes come from the kernel's own symbols and BTF.
 */
import type { Kernel } from "./kernel.js";
import type { StackRange } from "./unwind/types.js";

export type { StackRange } from "./unwind/types.js";

/** x86-64's 16 KiB (THREAD_SIZE_ORDER 2): the default when init_stack cannot be measured */
const DEFAULT_THREAD_SIZE = 16384n;

/** THREAD_SIZE as the image lays out init_task's stack: `__end_init_task - init_stack` */
export async function threadSize(kernel: Kernel): Promise<bigint> {
  return kernel.facet("threadSize", async () => {
    const symbols = await kernel.symbols();
    const start = symbols.lookup("init_stack")?.address;
    const end = symbols.lookup("__end_init_task")?.address;
    if (start === undefined || end === undefined || end <= start) return DEFAULT_THREAD_SIZE;
    const size = end - start;
    // a power of two between 8 KiB and 64 KiB, or the layout is not what we think
    return size >= 8192n && size <= 65536n && (size & (size - 1n)) === 0n
      ? size
      : DEFAULT_THREAD_SIZE;
  });
}

/** the stack of a task whose `task_struct.stack` is `base` */
export async function taskStack(kernel: Kernel, base: bigint, name = "task"): Promise<StackRange> {
  return { kind: "task", name, start: base, end: base + (await threadSize(kernel)) };
}

/** Reads a per-CPU variable's address: `__per_cpu_offset[cpu]` + the symbol's per-CPU offset. */
export type PerCpuAddress = (symbol: string, cpu: number) => Promise<bigint | undefined>;

/**
 * The IRQ and exception stacks of one CPU. `hardirq_stack_ptr` points at the top of the
 * IRQ stack minus 8 (arch/x86/kernel/irq_64.c: map_irq_stack); the exception stacks are
 * the `*_stack` members of `struct cea_exception_stacks` (guard pages skipped).
 */
export async function cpuStacks(
  kernel: Kernel,
  cpu: number,
  percpu: PerCpuAddress,
): Promise<StackRange[]> {
  const ranges: StackRange[] = [];
  const btf = await kernel.btf();
  const irqSize = BigInt(btf.find("struct irq_stack")?.size ?? 16384);
  for (const symbol of ["hardirq_stack_ptr", "pcpu_hot"]) {
    const at = await percpu(symbol, cpu).catch(() => undefined);
    if (at === undefined) continue;
    // 6.2+ moved it into pcpu_hot (commit "x86/percpu: Move irq_stack variables next to current_task")
    const field = symbol === "pcpu_hot" ? btf.offsetof("pcpu_hot", "hardirq_stack_ptr") : 0;
    if (field === undefined) continue;
    const top = await kernel.memory.u64(at + BigInt(field)).catch(() => 0n);
    if (top !== 0n)
      ranges.push({ kind: "irq", name: "IRQ", start: top + 8n - irqSize, end: top + 8n });
    break;
  }
  const ceaAt = await percpu("cea_exception_stacks", cpu).catch(() => undefined);
  const cea = btf.find("struct cea_exception_stacks");
  if (ceaAt !== undefined && cea?.members !== undefined) {
    const base = await kernel.memory.u64(ceaAt).catch(() => 0n);
    if (base !== 0n) {
      for (const m of cea.members) {
        const name = /^(\w+)_stack$/.exec(m.name)?.[1];
        const size = btf.sizeof(m.type);
        if (name === undefined || size === undefined) continue;
        const start = base + BigInt(m.bitOffset / 8);
        ranges.push({ kind: "exception", name, start, end: start + BigInt(size) });
      }
    }
  }
  return ranges;
}
