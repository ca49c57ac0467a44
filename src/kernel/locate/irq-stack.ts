/**
 * @module kernel/locate/irq-stack
 * arm64's per-CPU `irq_stack_ptr` (arch/arm64/kernel/irq.c: each CPU's IRQ stack, THREAD_SIZE
 * bytes, vmalloc'ed THREAD_SIZE-aligned) without a data symbol. A CPU the dump caught on a
 * stack that is not its task's gives that stack's block; the per-CPU variable is the word in
 * that CPU's per-CPU area holding the block's address. The guess is kept only when, read for
 * every CPU, it gives distinct, aligned stacks outside the linear map, and every CPU caught
 * off its task stack was on its own one.
 */
import type { LocateSource } from "./image.js";

/** .data..percpu is well under this (v6.1 arm64: 85 KiB of static per-CPU data) */
const PERCPU_SPAN = 256n << 10n;

export interface IrqStackEvidence {
  /** `__per_cpu_offset[0..n)` */
  readonly offsets: readonly bigint[];
  /** a per-CPU symbol's value inside .data..percpu (`runqueues`), to centre the search */
  readonly anchor: bigint;
  /** THREAD_SIZE (= IRQ_STACK_SIZE) */
  readonly stackSize: bigint;
  /** per CPU: the saved sp, when the dump caught that CPU off its task's stack */
  readonly offTaskSp: ReadonlyMap<number, bigint>;
}

/** Is `symbol` (a per-CPU value) irq_stack_ptr: does every CPU's copy give a plausible stack? */
export async function isIrqStackPtr(
  source: LocateSource,
  symbol: bigint,
  evidence: IrqStackEvidence,
): Promise<boolean> {
  const memory = source.kernel.memory;
  const seen = new Set<bigint>();
  for (const [cpu, offset] of evidence.offsets.entries()) {
    const stack = await memory.u64(BigInt.asUintN(64, symbol + offset)).catch(() => 0n);
    if (stack === 0n || stack % evidence.stackSize !== 0n || seen.has(stack)) return false;
    // IRQ stacks are vmalloc'ed: above the linear map (0xffff0000… up to VA_BITS 48)
    if (stack < 0xffff800000000000n) return false;
    seen.add(stack);
    const sp = evidence.offTaskSp.get(cpu);
    if (sp !== undefined && (sp < stack || sp >= stack + evidence.stackSize)) return false;
  }
  return seen.size > 0;
}

/** The per-CPU symbol value of `irq_stack_ptr`, or undefined when nothing checks out. */
export async function findIrqStackPtr(
  source: LocateSource,
  evidence: IrqStackEvidence,
): Promise<bigint | undefined> {
  return source.kernel.facet("locate.irq_stack_ptr", async () => {
    const first = [...evidence.offTaskSp.entries()][0];
    if (first === undefined) return undefined; // no CPU says where its IRQ stack is
    const [cpu, sp] = first;
    const offset = evidence.offsets[cpu];
    if (offset === undefined) return undefined;
    const block = sp - (sp % evidence.stackSize);
    const centre = BigInt.asUintN(64, evidence.anchor + offset);
    const from = centre - PERCPU_SPAN;
    const memory = source.kernel.memory;
    for (let at = from; at < centre + PERCPU_SPAN; at += 4096n) {
      const words = await memory.words(at, 512).catch(() => undefined);
      if (words === undefined) continue;
      for (const [i, word] of words.entries()) {
        if (word !== block) continue;
        const symbol = BigInt.asUintN(64, at + BigInt(i * 8) - offset);
        if (await isIrqStackPtr(source, symbol, evidence)) return symbol;
      }
    }
    return undefined;
  });
}
