/**
 * @module shell/sys-facts
 * Where `sys` gets the facts a dump's headers do not hold. Each is a function of the kernel
 * that returns the value or undefined (unknown: `sys` then says so instead of guessing).
 * `kallsymsSysFacts` reads what a few kallsyms data symbols give directly (no types needed);
 * `defaultSysFacts` adds what needs BTF offsets too: DATE from the timekeeper, MEMORY from the
 * nodes' present pages, TASKS from the task table (`kernel/tasks`). Replace any field to
 * improve it: `new ShellSession(kernel, { sysFacts: { ...defaultSysFacts, tasks: mine } })`.
 */
import type { Kernel } from "../kernel/kernel.js";
import type { PrintkRecord } from "../kernel/printk/types.js";
import { taskCount } from "../kernel/tasks/index.js";

export interface SysFactsInput {
  readonly kernel: Kernel;
  /** the kernel log, read once per session */
  log(): Promise<readonly PrintkRecord[]>;
}

export type SysFact<T> = (input: SysFactsInput) => Promise<T | undefined>;

export interface SysFacts {
  /** CPUs online at the crash (the rest of the dump's CPUs print as `[OFFLINE: n]`) */
  readonly onlineCpus: SysFact<number>;
  /** wall-clock time of the crash */
  readonly date: SysFact<Date>;
  /** seconds since boot at the crash */
  readonly uptimeSeconds: SysFact<number>;
  /** `avenrun[0..2]`: fixed-point with 11 fraction bits, as the kernel keeps them */
  readonly loadAverage: SysFact<readonly [bigint, bigint, bigint]>;
  /** tasks, with one idle task per CPU, as crash counts them */
  readonly tasks: SysFact<number>;
  /** bytes of RAM the kernel manages */
  readonly memoryBytes: SysFact<bigint>;
  readonly cpuMhz: SysFact<number>;
  /** whether the kernel was tainted (`[TAINTED]` after KERNEL) */
  readonly tainted: SysFact<boolean>;
  /** the panic message, as `sys` quotes it */
  readonly panicMessage: SysFact<string>;
}

/** Reads a data symbol's bytes; undefined when the symbol or its page is missing. */
async function readSymbol(
  kernel: Kernel,
  name: string,
  length: number,
): Promise<Uint8Array | undefined> {
  try {
    const symbol = (await kernel.symbols()).lookup(name);
    if (symbol === undefined) return undefined;
    return await kernel.memory.read(symbol.address, length);
  } catch {
    return undefined;
  }
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * Where `sys` finds the panic message in the log: the last `Kernel panic - not syncing` line
 * (what the lab's crash 8.0.6 prints), else the first line of the report that led to it.
 */
const panicPatterns: readonly { pattern: RegExp; last: boolean }[] = [
  { pattern: /^Kernel panic - not syncing/, last: true },
  { pattern: /^sysrq: Trigger a crash|^SysRq : Trigger a crash/, last: false },
  {
    pattern: /^(BUG: |Oops: |general protection fault|kernel BUG at|Unable to handle kernel)/,
    last: false,
  },
];

export function findPanicMessage(records: readonly PrintkRecord[]): string | undefined {
  for (const { pattern, last } of panicPatterns) {
    const hits = records.filter((r) => pattern.test(r.text));
    const hit = last ? hits.at(-1) : hits[0];
    if (hit !== undefined) return (hit.text.split("\n")[0] as string).trimEnd();
  }
  return undefined;
}

/** The facts a few kallsyms data symbols give (each undefined when its page is not dumped). */
export const kallsymsSysFacts: SysFacts = {
  // __cpu_online_mask: a bitmap of online CPUs
  onlineCpus: async ({ kernel }) => {
    const words = Math.max(1, Math.ceil(kernel.view.cpus.length / 64));
    const bytes = await readSymbol(kernel, "__cpu_online_mask", words * 8);
    if (bytes === undefined) return undefined;
    let count = 0;
    for (const b of bytes) for (let v = b; v !== 0; v &= v - 1) count++;
    return count;
  },
  date: async ({ kernel }) => kernel.view.crashTime,
  // jiffies_64 counts from INITIAL_JIFFIES = (u32)(-300 * HZ); HZ from tick_nsec = 1e9 / HZ
  uptimeSeconds: async ({ kernel }) => {
    const jiffies = await readSymbol(kernel, "jiffies_64", 8);
    const tick = await readSymbol(kernel, "tick_nsec", 8);
    if (jiffies === undefined || tick === undefined) return undefined;
    const tickNsec = view(tick).getBigUint64(0, true);
    if (tickNsec === 0n) return undefined;
    const hz = (1_000_000_000n + tickNsec / 2n) / tickNsec;
    const initial = BigInt.asUintN(32, -300n * hz);
    const elapsed = BigInt.asUintN(64, view(jiffies).getBigUint64(0, true) - initial);
    return Number(elapsed / hz);
  },
  loadAverage: async ({ kernel }) => {
    const bytes = await readSymbol(kernel, "avenrun", 24);
    if (bytes === undefined) return undefined;
    const v = view(bytes);
    return [v.getBigUint64(0, true), v.getBigUint64(8, true), v.getBigUint64(16, true)];
  },
  tasks: async () => undefined,
  memoryBytes: async () => undefined,
  cpuMhz: async ({ kernel }) => {
    const bytes = await readSymbol(kernel, "cpu_khz", 4);
    if (bytes === undefined) return undefined;
    const khz = view(bytes).getUint32(0, true);
    return khz === 0 ? undefined : Math.floor(khz / 1000);
  },
  tainted: async ({ kernel }) => {
    const bytes = await readSymbol(kernel, "tainted_mask", 8);
    return bytes === undefined ? undefined : view(bytes).getBigUint64(0, true) !== 0n;
  },
  panicMessage: async ({ log }) => findPanicMessage(await log()),
};

/** undefined instead of a failure: a fact that cannot be read is unknown, not an error */
async function orUndefined<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

const KERNEL_HALF = 0xffff800000000000n;

/**
 * The crash's wall-clock second from the timekeeper: `tk_core` is
 * `struct { seqcount_raw_spinlock_t seq; struct timekeeper timekeeper; }` (its type has no
 * name, so BTF cannot give the member's offset: it is the sequence counter's size rounded up to
 * the timekeeper's 8-byte alignment). The timekeeper starts with `tkr_mono.clock`, a pointer to
 * the clocksource: a value outside the kernel half means the layout guess is wrong.
 */
async function timekeeperDate(kernel: Kernel): Promise<Date | undefined> {
  const btf = await kernel.btf();
  const symbols = await kernel.symbols();
  const xtimeSec = btf.offsetof("timekeeper", "xtime_sec");
  if (xtimeSec === undefined) return undefined;
  let timekeeper: bigint | undefined;
  const tkCore = symbols.lookup("tk_core");
  if (tkCore !== undefined) {
    const seq = btf.find("seqcount_raw_spinlock_t") ?? btf.find("seqcount_t");
    const seqSize = seq === undefined ? undefined : btf.sizeof(seq.id);
    if (seqSize === undefined) return undefined;
    timekeeper = tkCore.address + BigInt(Math.ceil(seqSize / 8) * 8);
  } else {
    // before tk_core (v3.17) the timekeeper was a plain global
    timekeeper = symbols.lookup("timekeeper")?.address;
  }
  if (timekeeper === undefined) return undefined;
  if ((await kernel.memory.u64(timekeeper)) < KERNEL_HALF) return undefined;
  const seconds = await kernel.memory.s64(timekeeper + BigInt(xtimeSec));
  return seconds > 0n ? new Date(Number(seconds) * 1000) : undefined;
}

/** RAM the kernel manages: every node's `node_present_pages` (crash's MEMORY) */
async function presentMemory(kernel: Kernel): Promise<bigint | undefined> {
  const btf = await kernel.btf();
  const symbols = await kernel.symbols();
  const present = btf.offsetof("pglist_data", "node_present_pages");
  if (present === undefined) return undefined;
  const nodes: bigint[] = [];
  const contig = symbols.lookup("contig_page_data");
  const nodeData = symbols.lookup("node_data");
  const nrNodes = symbols.lookup("nr_node_ids");
  if (contig !== undefined) nodes.push(contig.address);
  else if (nodeData !== undefined) {
    // nr_node_ids is a data symbol: without it (kallsyms of text only) read node 0 alone
    const count = nrNodes === undefined ? 1 : await kernel.memory.u32(nrNodes.address);
    if (count === 0 || count > 1024) return undefined;
    for (const pointer of await kernel.memory.words(nodeData.address, count))
      if (pointer !== 0n) nodes.push(pointer);
  }
  if (nodes.length === 0) return undefined;
  let pages = 0n;
  for (const node of nodes) pages += await kernel.memory.u64(node + BigInt(present));
  // the kernel's page size: a QEMU arm64 kdump's blocks are 64 KiB over 4 KiB pages
  return pages * BigInt(kernel.view.vmcoreinfo.pageSize ?? kernel.dump.pageSize);
}

/** The kallsyms facts plus those that need BTF and the task table. */
export const defaultSysFacts: SysFacts = {
  ...kallsymsSysFacts,
  date: async (input) =>
    input.kernel.view.crashTime ?? (await orUndefined(() => timekeeperDate(input.kernel))),
  memoryBytes: ({ kernel }) => orUndefined(() => presentMemory(kernel)),
  tasks: ({ kernel }) => orUndefined(() => taskCount(kernel)),
};
