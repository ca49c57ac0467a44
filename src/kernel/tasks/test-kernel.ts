/**
 * @module kernel/tasks/test-kernel
 * A tiny synthetic kernel for clone-only tests of the task, runqueue and module walkers: sparse
 * memory, a kallsyms stand-in, and BTF (from btf/test-writer.ts) describing just the members
 * the walkers read, at offsets of its own — so the tests also prove that nothing is hard-coded.
 * Tasks, threads, runqueues and modules are laid out by helper methods; tests then damage the
 * memory on purpose. Not used by the library itself.
 */
import { CrashlensError } from "../../errors.js";
import { BtfWriter } from "../btf/test-writer.js";
import type { KernelView } from "../index.js";
import type { Kallsyms } from "../kallsyms.js";
import { Kernel } from "../kernel.js";

const PAGE = 4096n;
export const IMAGE = 0xffffffff81000000n;
export const HEAP = 0xffff888000000000n;
/** per-CPU areas: CPU n's at PERCPU_BASE + n * 0x100000 */
export const PERCPU_BASE = 0xffff888010000000n;

/** struct offsets used by the synthetic BTF (and so by the memory the helpers lay out) */
export const T = {
  size: 512,
  cpu: 16, // thread_info.cpu
  state: 24,
  stack: 32,
  flags: 44,
  prio: 48,
  seRunNode: 64,
  rtRunList: 104,
  tasks: 128,
  mm: 144,
  exitState: 152,
  pid: 156,
  tgid: 160,
  parent: 168,
  realParent: 176,
  threadNode: 184,
  signal: 200,
  comm: 208,
  lastArrival: 232,
  threadSp: 264,
} as const;
export const RQ = {
  size: 1680,
  nrRunning: 0,
  clock: 8,
  curr: 16,
  idle: 24,
  cfs: 32,
  rt: 64,
} as const;
/** within cfs_rq: tasks_timeline.rb_root.rb_node, rb_leftmost, curr */
export const CFS = { root: 8, leftmost: 16, curr: 24 } as const;
/** within rt_rq (= rt_prio_array): queue[] */
export const RT_QUEUE = 16;
/** the v6.4+ module layout: mem[7] of {base, size} at 128 */
export const MOD_MEM = { size: 256, mem: 128 } as const;
export const MOD = {
  size: 128,
  state: 0,
  list: 8,
  name: 24,
  base: 80,
  sizeField: 88,
  textSize: 92,
  orcs: 96,
  orcIp: 104,
  orc: 112,
  kallsyms: 120,
} as const;

function buildBtf(newer: boolean): Uint8Array {
  const w = new BtfWriter();
  const u8 = w.int("unsigned char", 1);
  const char = w.int("char", 1, { char: true, signed: true });
  const int = w.int("int", 4, { signed: true });
  const uint = w.int("unsigned int", 4);
  const ulong = w.int("long unsigned int", 8);
  const voidp = w.ptr(0);
  const listHead = w.struct("list_head", 16, [
    ["next", voidp, 0],
    ["prev", voidp, 64],
  ]);
  const rbNode = w.struct("rb_node", 24, [
    ["__rb_parent_color", ulong, 0],
    ["rb_right", voidp, 64],
    ["rb_left", voidp, 128],
  ]);
  const rbRoot = w.struct("rb_root", 8, [["rb_node", voidp, 0]]);
  const rbRootCached = w.struct("rb_root_cached", 16, [
    ["rb_root", rbRoot, 0],
    ["rb_leftmost", voidp, 64],
  ]);
  const threadInfo = w.struct("thread_info", 24, [
    ["flags", ulong, 0],
    ["cpu", uint, 128],
  ]);
  const sched = w.struct("sched_entity", 40, [
    ["run_node", rbNode, 0],
    ["my_q", voidp, 256],
  ]);
  const rtEntity = w.struct("sched_rt_entity", 24, [
    ["run_list", listHead, 0],
    ["my_q", voidp, 128],
  ]);
  const schedInfo = w.struct("sched_info", 16, [["last_arrival", ulong, 64]]);
  const thread = w.struct("thread_struct", 16, [["sp", ulong, 64]]);
  const comm = w.array(char, 16);
  w.struct("task_struct", T.size, [
    ["thread_info", threadInfo, 0],
    ["__state", uint, T.state * 8],
    ["stack", voidp, T.stack * 8],
    ["flags", uint, T.flags * 8],
    ["prio", int, T.prio * 8],
    ["se", sched, T.seRunNode * 8],
    ["rt", rtEntity, T.rtRunList * 8],
    ["tasks", listHead, T.tasks * 8],
    ["mm", voidp, T.mm * 8],
    ["exit_state", int, T.exitState * 8],
    ["pid", int, T.pid * 8],
    ["tgid", int, T.tgid * 8],
    ["parent", voidp, T.parent * 8],
    ["real_parent", voidp, T.realParent * 8],
    ["thread_node", listHead, T.threadNode * 8],
    ["signal", voidp, T.signal * 8],
    ["comm", comm, T.comm * 8],
    ["sched_info", schedInfo, (T.lastArrival - 8) * 8],
    ["thread", thread, (T.threadSp - 8) * 8],
  ]);
  w.struct("signal_struct", 32, [
    ["nr_threads", int, 0],
    ["thread_head", listHead, 64],
  ]);
  const cfsRq = w.struct("cfs_rq", 32, [
    ["nr_running", uint, 0],
    ["tasks_timeline", rbRootCached, 64],
    ["curr", voidp, 192],
  ]);
  const prioArray = w.struct("rt_prio_array", 1616, [
    ["bitmap", w.array(ulong, 2), 0],
    ["queue", w.array(listHead, 100), RT_QUEUE * 8],
  ]);
  const rtRq = w.struct("rt_rq", 1616, [["active", prioArray, 0]]);
  w.struct("rq", RQ.size, [
    ["nr_running", uint, 0],
    ["clock", ulong, RQ.clock * 8],
    ["curr", voidp, RQ.curr * 8],
    ["idle", voidp, RQ.idle * 8],
    ["cfs", cfsRq, RQ.cfs * 8],
    ["rt", rtRq, RQ.rt * 8],
  ]);
  const layout = w.struct("module_layout", 16, [
    ["base", voidp, 0],
    ["size", uint, 64],
    ["text_size", uint, 96],
  ]);
  const arch = w.struct("mod_arch_specific", 24, [
    ["num_orcs", uint, 0],
    ["orc_unwind_ip", voidp, 64],
    ["orc_unwind", voidp, 128],
  ]);
  // mm_struct: total_vm and the resident counters (MM_FILEPAGES, ANON, SWAPENTS, SHMEM)
  const long = w.int("long int", 8, { signed: true });
  if (newer) {
    // v6.2+: percpu_counter rss_stat[NR_MM_COUNTERS] (commit f1a7941243c1)
    const counter = w.struct("percpu_counter", 40, [
      ["count", long, 64],
      ["counters", voidp, 256],
    ]);
    w.struct("mm_struct", 256, [
      ["total_vm", ulong, 0],
      ["rss_stat", w.array(counter, 4), 64 * 8],
    ]);
  } else {
    const rss = w.struct("mm_rss_stat", 32, [["count", w.array(long, 4), 0]]);
    w.struct("mm_struct", 256, [
      ["total_vm", ulong, 0],
      ["rss_stat", rss, 64 * 8],
    ]);
  }
  w.struct("pglist_data", 64, [["node_present_pages", ulong, 128]]);
  if (newer) {
    // v6.4+: mem[MOD_MEM_NUM_TYPES] replaces core_layout (commit ac3b43283923)
    const memory = w.struct("module_memory", 16, [
      ["base", voidp, 0],
      ["size", uint, 64],
    ]);
    w.enum("mod_mem_type", 4, [
      ["MOD_TEXT", 0],
      ["MOD_DATA", 1],
      ["MOD_RODATA", 2],
      ["MOD_RO_AFTER_INIT", 3],
      ["MOD_INIT_TEXT", 4],
      ["MOD_INIT_DATA", 5],
      ["MOD_INIT_RODATA", 6],
    ]);
    w.struct("module", MOD_MEM.size, [
      ["state", uint, 0],
      ["list", listHead, MOD.list * 8],
      ["name", w.array(char, 56), MOD.name * 8],
      ["arch", arch, MOD.orcs * 8],
      ["kallsyms", voidp, MOD.kallsyms * 8],
      ["mem", w.array(memory, 7), MOD_MEM.mem * 8],
    ]);
    // v6.2+: current_task moved into the per-CPU pcpu_hot (commit 7443b296e699)
    w.struct("pcpu_hot", 16, [
      ["current_task", voidp, 0],
      ["preempt_count", int, 64],
    ]);
  } else
    w.struct("module", MOD.size, [
      ["state", uint, 0],
      ["list", listHead, MOD.list * 8],
      ["name", w.array(char, 56), MOD.name * 8],
      ["core_layout", layout, MOD.base * 8],
      ["arch", arch, MOD.orcs * 8],
      ["kallsyms", voidp, MOD.kallsyms * 8],
    ]);
  w.struct("mod_kallsyms", 32, [
    ["symtab", voidp, 0],
    ["num_symtab", uint, 64],
    ["strtab", voidp, 128],
    ["typetab", w.ptr(u8), 192],
  ]);
  return w.bytes();
}

export class SyntheticKernel {
  readonly pages = new Map<bigint, Uint8Array>();
  readonly symbols = new Map<string, { address: bigint; type: string }>();
  /** addresses whose page reads fault, though present (a filtered page) */
  readonly holes = new Set<bigint>();
  private heap = HEAP + 0x100000n;
  readonly cpus: number;

  /** `newer`: v6.4+ module memory and v6.2+ pcpu_hot instead of core_layout and current_task */
  readonly newer: boolean;

  constructor(cpus = 2, options: { newer?: boolean } = {}) {
    this.cpus = cpus;
    this.newer = options.newer === true;
    const btf = buildBtf(this.newer);
    const btfAt = IMAGE + 0x200000n;
    this.write(btfAt, btf);
    this.symbol("__start_BTF", btfAt);
    this.symbol("__stop_BTF", btfAt + BigInt(btf.length));
    this.symbol("_text", IMAGE);
    this.symbol("_end", IMAGE + 0x1000000n);
    this.symbol("runqueues", 0x1000n, "A");
    this.symbol(this.newer ? "pcpu_hot" : "current_task", 0x2000n, "A");
    const offsets = IMAGE + 0x10000n;
    for (let cpu = 0; cpu < cpus; cpu++)
      this.u64(offsets + BigInt(cpu * 8), PERCPU_BASE + BigInt(cpu) * 0x100000n);
    this.symbol("__per_cpu_offset", offsets);
    this.u32(IMAGE + 0x11000n, cpus);
    this.symbol("nr_cpu_ids", IMAGE + 0x11000n);
    this.u64(IMAGE + 0x12000n, (1n << BigInt(cpus)) - 1n);
    this.symbol("__cpu_possible_mask", IMAGE + 0x12000n);
    this.u64(IMAGE + 0x12100n, 1n);
    this.symbol("__cpu_online_mask", IMAGE + 0x12100n);
    this.symbol("init_task", IMAGE + 0x20000n);
    // one memory node of 65406 present pages (the lab VM's 255.5 MB)
    this.u64(IMAGE + 0x13000n, IMAGE + 0x13100n);
    this.u64(IMAGE + 0x13100n + 16n, 65406n);
    this.symbol("node_data", IMAGE + 0x13000n);
    this.u32(IMAGE + 0x13200n, 1);
    this.symbol("nr_node_ids", IMAGE + 0x13200n);
    this.symbol("modules", IMAGE + 0x30000n);
    this.listInit(IMAGE + 0x30000n);
    // every runqueue's RT queue heads empty (pointing at themselves), trees empty
    for (let cpu = 0; cpu < cpus; cpu++) {
      const rq = this.rq(cpu);
      for (let i = 0; i < 100; i++) this.listInit(rq + BigInt(RQ.rt + RT_QUEUE + i * 16));
    }
  }

  symbol(name: string, address: bigint, type = "D"): void {
    this.symbols.set(name, { address, type });
  }

  /** &runqueues on `cpu` */
  rq(cpu: number): bigint {
    return PERCPU_BASE + BigInt(cpu) * 0x100000n + 0x1000n;
  }

  alloc(size: number): bigint {
    const at = this.heap;
    this.heap += BigInt((size + 0xfff) & ~0xfff);
    return at;
  }

  write(address: bigint, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      const at = address + BigInt(i);
      const base = at - (at % PAGE);
      let page = this.pages.get(base);
      if (page === undefined) {
        page = new Uint8Array(Number(PAGE));
        this.pages.set(base, page);
      }
      const within = Number(at - base);
      const take = Math.min(Number(PAGE) - within, bytes.length - i);
      page.set(bytes.subarray(i, i + take), within);
      i += take;
    }
  }

  u64(address: bigint, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.write(address, b);
  }

  u32(address: bigint, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.write(address, b);
  }

  string(address: bigint, text: string): void {
    this.write(address, Uint8Array.from([...Buffer.from(text, "latin1"), 0]));
  }

  listInit(head: bigint): void {
    this.u64(head, head);
    this.u64(head + 8n, head);
  }

  /** list_add_tail(node, head) */
  listAdd(head: bigint, node: bigint): void {
    const last = this.peek(head + 8n);
    this.u64(node, head);
    this.u64(node + 8n, last);
    this.u64(last, node);
    this.u64(head + 8n, node);
  }

  peek(address: bigint): bigint {
    const base = address - (address % PAGE);
    const page = this.pages.get(base);
    if (page === undefined) return 0n;
    return new DataView(page.buffer).getBigUint64(Number(address - base), true);
  }

  read(address: bigint, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; ) {
      const at = address + BigInt(i);
      const base = at - (at % PAGE);
      const page = this.pages.get(base);
      if (page === undefined || this.holes.has(base))
        return Promise.reject(
          new CrashlensError("fault", `page at 0x${base.toString(16)} is not in the dump`, {
            address: at,
            space: "virtual",
          }),
        );
      const within = Number(at - base);
      const take = Math.min(Number(PAGE) - within, length - i);
      out.set(page.subarray(within, within + take), i);
      i += take;
    }
    return Promise.resolve(out);
  }

  /**
   * A task_struct (init_task when `at` is given). Leaders join init_task.tasks and get a
   * signal_struct; threads join their leader's signal->thread_head.
   */
  task(spec: {
    pid: number;
    comm: string;
    cpu?: number;
    state?: number;
    leader?: bigint;
    parent?: bigint;
    kernelThread?: boolean;
    at?: bigint;
    lastArrival?: bigint;
    prio?: number;
    /** an idle task of another CPU: on no task list, found through rq->idle */
    unlisted?: boolean;
  }): bigint {
    const task = spec.at ?? this.alloc(T.size);
    this.write(task, new Uint8Array(T.size));
    this.u32(task + BigInt(T.cpu), spec.cpu ?? 0);
    this.u32(task + BigInt(T.state), spec.state ?? 0);
    this.u32(task + BigInt(T.flags), spec.kernelThread ? 0x00200000 : 0);
    this.u32(task + BigInt(T.prio), spec.prio ?? 120);
    this.u32(task + BigInt(T.pid), spec.pid);
    this.u64(task + BigInt(T.parent), spec.parent ?? this.symbols.get("init_task")?.address ?? 0n);
    this.u64(task + BigInt(T.lastArrival), spec.lastArrival ?? 0n);
    this.u64(task + BigInt(T.threadSp), task + 0x4000n);
    this.string(task + BigInt(T.comm), spec.comm);
    this.listInit(task + BigInt(T.tasks));
    const initTask = this.symbols.get("init_task")?.address as bigint;
    if (spec.leader === undefined) {
      this.u32(task + BigInt(T.tgid), spec.pid);
      const signal = this.alloc(32);
      this.write(signal, new Uint8Array(32));
      this.listInit(signal + 8n);
      this.u64(task + BigInt(T.signal), signal);
      this.listAdd(signal + 8n, task + BigInt(T.threadNode));
      if (task !== initTask && spec.unlisted !== true)
        this.listAdd(initTask + BigInt(T.tasks), task + BigInt(T.tasks));
      if (!spec.kernelThread) this.u64(task + BigInt(T.mm), this.alloc(64));
    } else {
      const leaderSignal = this.peek(spec.leader + BigInt(T.signal));
      this.u32(task + BigInt(T.tgid), Number(this.peek(spec.leader + BigInt(T.pid)) & 0xffffffffn));
      this.u64(task + BigInt(T.signal), leaderSignal);
      this.u64(task + BigInt(T.mm), this.peek(spec.leader + BigInt(T.mm)));
      this.listAdd(leaderSignal + 8n, task + BigInt(T.threadNode));
    }
    return task;
  }

  /**
   * An mm: total_vm pages and resident counters [file, anon, swapents, shmem]; on the v6.2+
   * layout each counter keeps `perCpu` more pages in every CPU's s32 delta.
   */
  mm(totalVm: bigint, counters: readonly bigint[], perCpu = 0): bigint {
    const mm = this.alloc(256);
    this.write(mm, new Uint8Array(256));
    this.u64(mm, totalVm);
    counters.forEach((value, i) => {
      if (!this.newer) {
        this.u64(mm + 64n + BigInt(i * 8), value);
        return;
      }
      const at = mm + 64n + BigInt(i * 40);
      this.u64(at + 8n, value);
      const deltas = 0x3000n + BigInt(i * 4); // a per-CPU offset
      this.u64(at + 32n, deltas);
      for (let cpu = 0; cpu < this.cpus; cpu++)
        this.u32(PERCPU_BASE + BigInt(cpu) * 0x100000n + deltas, perCpu);
    });
    return mm;
  }

  /** rq->curr and rq->idle of `cpu`, and the per-CPU current task (current_task or pcpu_hot) */
  runqueue(cpu: number, curr: bigint, idle: bigint, clock = 0n): void {
    const rq = this.rq(cpu);
    this.u64(PERCPU_BASE + BigInt(cpu) * 0x100000n + 0x2000n, curr);
    this.u64(rq + BigInt(RQ.curr), curr);
    this.u64(rq + BigInt(RQ.idle), idle);
    this.u64(rq + BigInt(RQ.clock), clock);
  }

  /** a module with `symbols` [name, offset-in-text, size] in its kallsyms */
  module(
    name: string,
    base: bigint,
    size: number,
    symbols: readonly [string, number, number][],
  ): bigint {
    const mod = this.alloc(MOD_MEM.size);
    this.write(mod, new Uint8Array(MOD_MEM.size));
    this.string(mod + BigInt(MOD.name), name);
    if (this.newer) {
      // text, then data for the rest; a freed init text that must not count
      const region = (type: number, at: bigint, bytes: number) => {
        this.u64(mod + BigInt(MOD_MEM.mem + type * 16), at);
        this.u32(mod + BigInt(MOD_MEM.mem + type * 16 + 8), bytes);
      };
      region(0, base, 0x1000);
      region(1, base + 0x1000n, size - 0x1000);
      region(4, base + 0x100000n, 0x800);
    } else {
      this.u64(mod + BigInt(MOD.base), base);
      this.u32(mod + BigInt(MOD.sizeField), size);
      this.u32(mod + BigInt(MOD.textSize), 0x1000);
    }
    this.write(base, new Uint8Array(size)); // the module's image is present
    const count = symbols.length + 1;
    const symtab = this.alloc(count * 24);
    const strtab = this.alloc(4096);
    const typetab = this.alloc(count);
    let strAt = 1;
    symbols.forEach(([symbol, offset, symbolSize], i) => {
      const at = symtab + BigInt((i + 1) * 24);
      this.u32(at, strAt);
      this.write(at + 6n, Uint8Array.of(1, 0)); // st_shndx = 1
      this.u64(at + 8n, base + BigInt(offset));
      this.u64(at + 16n, BigInt(symbolSize));
      this.string(strtab + BigInt(strAt), symbol);
      strAt += symbol.length + 1;
      this.write(typetab + BigInt(i + 1), Uint8Array.of(0x74)); // 't'
    });
    this.write(strtab, Uint8Array.of(0));
    const kallsyms = this.alloc(32);
    this.u64(kallsyms, symtab);
    this.u32(kallsyms + 8n, count);
    this.u64(kallsyms + 16n, strtab);
    this.u64(kallsyms + 24n, typetab);
    this.u64(mod + BigInt(MOD.kallsyms), kallsyms);
    this.listAdd(this.symbols.get("modules")?.address as bigint, mod + BigInt(MOD.list));
    return mod;
  }

  /** A Kernel over this memory (built fresh each call, so facets are recomputed). */
  kernel(): Kernel {
    const entries = [...this.symbols].sort((a, b) => (a[1].address < b[1].address ? -1 : 1));
    const kallsyms = {
      count: entries.length,
      encoding: "synthetic",
      lookup: (name: string) => {
        const s = this.symbols.get(name);
        return s === undefined ? undefined : { name, ...s };
      },
      symbolize: (address: bigint) => {
        let best: [string, { address: bigint }] | undefined;
        for (const e of entries) if (e[1].address <= address) best = e;
        if (best === undefined) return undefined;
        return { name: best[0], offset: Number(address - best[1].address), size: 0x1000 };
      },
      *symbols() {
        for (const [name, s] of entries) yield { name, ...s };
      },
    } as unknown as Kallsyms;
    const view = {
      dump: { close: async () => {} },
      vmcoreinfo: { pageSize: 4096, symbols: new Map(), numbers: new Map(), offsets: new Map() },
      cpus: [],
      physBase: 0n,
      warnings: [],
      readVirtual: (address: bigint, length: number) => this.read(address, length),
      translate: async (address: bigint) => address,
      readLog: async () => ({ records: [], warnings: [] }),
      loadSymbols: async () => kallsyms,
      panicCpuVariable: 0,
    } as unknown as KernelView;
    return Kernel.fromView(view);
  }
}
