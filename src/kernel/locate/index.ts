/**
 * @module kernel/locate
 * What kallsyms does not name when it holds text symbols only (CONFIG_KALLSYMS_ALL off, as
 * in Debian's arm64 kernels), found in the dump itself, each by a verification that rejects
 * a wrong guess: vmlinux BTF (`__start_BTF`/`__stop_BTF`), `init_task`, `__per_cpu_offset`
 * with `runqueues` and arm64's `irq_stack_ptr`, the `modules` list head, `node_data` (or
 * `contig_page_data`) and `tk_core`. When kallsyms has data symbols nothing is located:
 * what it lacks, the kernel lacks.
 *
 * ```ts
 * const source = { kernel, kallsyms };                 // kallsyms as decoded
 * const btf = (await findBtf(source))?.btf;            // when __start_BTF is missing
 * const located = await locateSymbols(source, () => kernel.btf()); // Map name → address
 * const symbols = withLocatedSymbols(kallsyms, located); // lookup() falls back to them
 * ```
 */
import type { Btf } from "../btf/index.js";
import type { Kallsyms } from "../kallsyms.js";
import { findBtf } from "./btf.js";
import type { LocateSource } from "./image.js";
import { findInitTask } from "./init-task.js";
import { findIrqStackPtr } from "./irq-stack.js";
import { findModuleList } from "./modules.js";
import { findNodeData } from "./node-data.js";
import { findPerCpu, type LocatedPerCpu } from "./per-cpu.js";
import { findTkCore } from "./timekeeper.js";

export { btfHeaderLength, findBtf, type LocatedBtf } from "./btf.js";
export { type ImageLayout, imageLayout, type LocateSource } from "./image.js";
export { findInitTask, isInitTask } from "./init-task.js";
export {
  findIrqStackPtr,
  type IrqStackEvidence,
  isIrqStackPtr,
} from "./irq-stack.js";
export { findModuleList, isModuleListHead } from "./modules.js";
export { findNodeData, isPgdat, type LocatedNodeData } from "./node-data.js";
export { findPerCpu, type LocatedPerCpu, runqueuesFromTasks } from "./per-cpu.js";
export { findTkCore, timekeeperSeconds } from "./timekeeper.js";

/** the names this folder can supply, in the order they are found (later ones need earlier) */
export const LOCATABLE = [
  "__start_BTF",
  "__stop_BTF",
  "init_task",
  "__per_cpu_offset",
  "runqueues",
  "modules",
  "node_data",
  "contig_page_data",
  "tk_core",
  "irq_stack_ptr",
] as const;

export type LocatableName = (typeof LOCATABLE)[number];

/** what the shell needs, each group satisfied by any one name (node_data or contig_page_data;
 * tk_core, or the plain timekeeper before v3.17) */
const NEEDED: readonly (readonly string[])[] = [
  ["__start_BTF"],
  ["init_task"],
  ["__per_cpu_offset"],
  ["runqueues"],
  ["modules"],
  ["node_data", "contig_page_data"],
  ["tk_core", "timekeeper"],
];

/** BTF, or a way to get it when a locator needs it (so kernels that lack nothing parse none) */
export type BtfSource = Btf | (() => Promise<Btf | undefined>);

/**
 * Locates every name in LOCATABLE that `source.kallsyms` lacks; names that cannot be found
 * (or fail their check) are absent from the map. When kallsyms lacks none (x86-64 kernels with
 * CONFIG_KALLSYMS_ALL) nothing is read, not even BTF. `btf` defaults to the BTF found here.
 */
export async function locateSymbols(
  source: LocateSource,
  btf?: BtfSource,
): Promise<Map<LocatableName, bigint>> {
  return source.kernel.facet("locate.symbols", async () => {
    const out = new Map<LocatableName, bigint>();
    const has = (name: string) => source.kallsyms.lookup(name) !== undefined;
    const missing = (...names: string[]) => !names.some(has);
    // kallsyms with data symbols (CONFIG_KALLSYMS_ALL): what it lacks, the kernel lacks (no
    // __per_cpu_offset on a uniprocessor build, no modules without CONFIG_MODULES)
    if (has("init_task") || NEEDED.every((names) => !missing(...names))) return out;
    let types: Btf | undefined;
    if (!has("__start_BTF")) {
      const found = await findBtf(source);
      if (found !== undefined) {
        out.set("__start_BTF", found.start);
        out.set("__stop_BTF", found.stop);
        types = found.btf;
      }
    }
    if (types === undefined && btf !== undefined)
      types = typeof btf === "function" ? await btf().catch(() => undefined) : btf;
    if (types === undefined) return out;
    const initTask =
      source.kallsyms.lookup("init_task")?.address ?? (await findInitTask(source, types));
    if (initTask !== undefined && !has("init_task")) out.set("init_task", initTask);
    if (initTask !== undefined && missing("__per_cpu_offset")) {
      const cpus = Math.max(1, source.kernel.view.cpus.length);
      const perCpu = await findPerCpu(source, types, initTask, cpus);
      if (perCpu !== undefined) {
        out.set("__per_cpu_offset", perCpu.offsetsAt);
        if (!has("runqueues")) out.set("runqueues", perCpu.runqueues);
        const irq = await irqStackPtr(source, types, perCpu);
        if (irq !== undefined) out.set("irq_stack_ptr", irq);
      }
    }
    if (missing("modules")) {
      const modules = await findModuleList(source, types);
      if (modules !== undefined) out.set("modules", modules);
    }
    if (missing("node_data", "contig_page_data")) {
      const nodes = await findNodeData(source, types);
      if (nodes !== undefined) out.set(nodes.name, nodes.address);
    }
    if (missing("tk_core", "timekeeper")) {
      const tkCore = await findTkCore(source, types);
      if (tkCore !== undefined) out.set("tk_core", tkCore);
    }
    return out;
  });
}

/** arm64's THREAD_SIZE with 4 KiB pages (IRQ_STACK_SIZE is the same) */
const ARM64_THREAD_SIZE = 0x4000n;

/**
 * irq_stack_ptr, from the CPUs the dump caught off their task's stack (arm64 registers: `sp`);
 * undefined when no CPU was, or the kernel has no such variable (x86-64 names it otherwise).
 */
async function irqStackPtr(
  source: LocateSource,
  btf: Btf,
  perCpu: LocatedPerCpu,
): Promise<bigint | undefined> {
  const curr = btf.offsetof("rq", "curr");
  const stackAt = btf.offsetof("task_struct", "stack");
  if (curr === undefined || stackAt === undefined) return undefined;
  const memory = source.kernel.memory;
  const offTaskSp = new Map<number, bigint>();
  for (const state of source.kernel.view.cpus) {
    const sp = state.registers.sp;
    const offset = perCpu.offsets[state.cpu];
    if (sp === undefined || offset === undefined) continue;
    const rq = BigInt.asUintN(64, perCpu.runqueues + offset);
    const task = await memory.u64(rq + BigInt(curr)).catch(() => 0n);
    const stack = task === 0n ? 0n : await memory.u64(task + BigInt(stackAt)).catch(() => 0n);
    if (stack !== 0n && (sp < stack || sp >= stack + ARM64_THREAD_SIZE))
      offTaskSp.set(state.cpu, sp);
  }
  return findIrqStackPtr(source, {
    offsets: perCpu.offsets,
    anchor: perCpu.runqueues,
    stackSize: ARM64_THREAD_SIZE,
    offTaskSp,
  });
}

/** One name: its kallsyms address, else the located one, else undefined. */
export async function locateSymbol(
  source: LocateSource,
  name: string,
  btf?: BtfSource,
): Promise<bigint | undefined> {
  const known = source.kallsyms.lookup(name)?.address;
  if (known !== undefined) return known;
  return (await locateSymbols(source, btf)).get(name as LocatableName);
}

/**
 * kallsyms whose `lookup()` also answers the located names (type "D", never used by
 * `symbolize()`, so text addresses are named as before). Everything else is the original.
 */
export function withLocatedSymbols(
  kallsyms: Kallsyms,
  located: ReadonlyMap<string, bigint>,
): Kallsyms {
  if (located.size === 0) return kallsyms;
  const wrapped = Object.create(kallsyms) as Kallsyms;
  Object.defineProperty(wrapped, "lookup", {
    value: (name: string) => {
      const own = kallsyms.lookup(name);
      if (own !== undefined) return own;
      const address = located.get(name);
      return address === undefined ? undefined : { name, type: "D", address };
    },
  });
  return wrapped;
}
