/**
 * The unwinder on the lab's real dumps (Debian 6.1.0-56-cloud-amd64, ORC, 2 CPUs, KASLR),
 * against what crash 8.0.6 printed with full DWARF debuginfo on the same memory, and against
 * what the kernel itself logged (oops registers, and Call Traces with their `?` lines).
 * Everything the unwinder is given comes from the dump: kallsyms, the vmlinux BTF at
 * __start_BTF (struct offsets), module ORC tables from the `modules` list, per-CPU IRQ stacks
 * and current tasks.
 *
 * Known differences from crash (both checked below, not hidden):
 * - crash starts the panic task at panic() and leaves out frames the kernel's own unwinder
 *   shows: the pvpanic/notifier frames above panic() (where QEMU took the registers),
 *   `oops_end.cold`, and `buggy_do_softlockup+0x16/0x16` (a call to a noreturn function at the
 *   end of its caller, which the logged trace shows). Our list is a superset, in order.
 * - for the first frame after an IRQ-stack switch crash prints the pt_regs address as the
 *   slot; we print the slot the return address was read from (8 bytes below it).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { labDumps } from "../../../test/writers/lab.js";
import { Btf } from "../btf/index.js";
import { Kernel } from "../kernel.js";
import {
  type Frame,
  OrcTables,
  PT_REGS_KERNEL_NAMES,
  type PtRegName,
  type StackRange,
  stackClassifier,
  type UnwindContext,
  unwind,
  withGuesses,
} from "./index.js";

const lab = labDumps();
/** x86-64 THREAD_SIZE and IRQ_STACK_SIZE without KASAN (the lab kernel has none) */
const STACK_SIZE = 0x4000n;
const crashOutput = (run: string) =>
  readFile(join(lab, "..", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"), "latin1");

interface CrashFrame {
  slot: bigint;
  name: string;
  ip: bigint;
  module?: string;
  regs?: Record<string, bigint>;
}
interface CrashTask {
  pid: number;
  task: bigint;
  cpu: number;
  frames: CrashFrame[];
}

/** crash's `bt` blocks, the first one per pid */
function parseCrash(text: string): Map<number, CrashTask> {
  const tasks = new Map<number, CrashTask>();
  let current: CrashTask | undefined;
  for (const line of text.split("\n")) {
    const head = /^PID: (\d+)\s+TASK: ([0-9a-f]+)\s+CPU: (\d+)/.exec(line);
    if (head) {
      const pid = Number(head[1]);
      current = tasks.has(pid)
        ? undefined
        : { pid, task: BigInt(`0x${head[2]}`), cpu: Number(head[3]), frames: [] };
      if (current) tasks.set(pid, current);
      continue;
    }
    if (!current) continue;
    const frame = /^\s*#\d+ \[([0-9a-f]+)\] (\S+) at ([0-9a-f]+)(?: \[(\S+)\])?/.exec(line);
    if (frame) {
      current.frames.push({
        slot: BigInt(`0x${frame[1]}`),
        name: frame[2] as string,
        ip: BigInt(`0x${frame[3]}`),
        ...(frame[4] ? { module: frame[4] } : {}),
      });
      continue;
    }
    const last = current.frames[current.frames.length - 1];
    if (last && /^\s+(RIP|RAX|RDX|RBP|R10|R13|ORIG_RAX):/.test(line)) {
      last.regs ??= {};
      for (const [, name, value] of line.matchAll(/([A-Z0-9_]+): ([0-9a-f]+)/g))
        last.regs[(name as string).toLowerCase()] = BigInt(`0x${value}`);
      continue;
    }
    if (!/^\s*(\[exception RIP|---)/.test(line)) current = undefined;
  }
  return tasks;
}

/** the registers of the first kernel-mode `RIP: 0010:` block of the log */
function oopsRegisters(log: string): Record<string, bigint> {
  const lines = log.split("\n");
  const at = lines.findIndex((l) => / RIP: 0010:/.test(l));
  const out: Record<string, bigint> = {};
  for (const line of lines.slice(at + 1, at + 8)) {
    const rsp = /RSP: [0-9a-f]{4}:([0-9a-f]+) EFLAGS: ([0-9a-f]+)/.exec(line);
    if (rsp) {
      out.rsp = BigInt(`0x${rsp[1]}`);
      out.rflags = BigInt(`0x${rsp[2]}`);
    }
    for (const [, name, value] of line.matchAll(/\b(R[A-Z0-9]{1,2}): ([0-9a-f]{16})/g))
      out[(name as string).toLowerCase().replace(/^r0/, "r")] = BigInt(`0x${value}`);
  }
  return out;
}

/**
 * The `Call Trace:` lines the kernel logged after the line matching `after`, as
 * "[? ]name+0xoff/0xsize", or "[? ][module]" for module text (we have no module symbols).
 */
function loggedTrace(log: string, after: RegExp): string[] {
  const lines = log.split("\n");
  let i = lines.findIndex((l) => after.test(l));
  assert.ok(i >= 0, `no ${after} in the log`);
  while (!/ Call Trace:$/.test(lines[i] as string)) i++;
  const out: string[] = [];
  for (const line of lines.slice(i + 1)) {
    const text = line.replace(/^\[[^\]]*\] /, "");
    if (text === " </TASK>") break;
    const m = /^ (\? )?(\S+?)(?: \[(\S+)\])?$/.exec(text);
    if (!m || /^[A-Z0-9_]+:/.test(m[2] as string) || m[2] === "<TASK>") continue;
    out.push(`${m[1] ?? ""}${m[3] ? `[${m[3]}]` : m[2]}`);
  }
  return out;
}

/** our frames in loggedTrace's shape */
function traceLines(frames: readonly Frame[]): string[] {
  return frames.map((f) => {
    const mark = f.reliable ? "" : "? ";
    if (f.module) return `${mark}[${f.module}]`;
    const s = f.symbol;
    return `${mark}${s ? `${s.name}+0x${s.offset.toString(16)}/0x${(s.size ?? 0).toString(16)}` : f.ip.toString(16)}`;
  });
}

interface Lab {
  kernel: Kernel;
  /** every task but the ones running on a CPU (whose thread.sp is stale) */
  sleepingTasks(): Promise<bigint[]>;
  comm(task: bigint): Promise<string>;
  ctx: UnwindContext;
  orc: OrcTables;
  threadSp: number;
  inactive: { bp: number; ret_addr: number; size: number };
  ranges: StackRange[];
  taskStack(task: bigint): Promise<void>;
  modules: string[];
}

/** the run's dump: crash's output for it is named crash-8.0.6.kdump-zlib.txt in every run */
const DUMP_FILES: Record<string, string> = {
  hung: "hung.kdump-zlib",
  nullread: "nullread.kdump-zlib",
  bugon: "bugon.kdump-zlib",
  softlockup: "softlockup.kdump-zlib",
  oom: "oom.qemu-kdump-flat",
};

async function openLab(name: string): Promise<Lab> {
  const kernel = await Kernel.open(join(lab, DUMP_FILES[name] as string));
  const syms = await kernel.symbols();
  const m = kernel.memory;
  const symbol = (n: string) => syms.lookup(n)?.address;
  const must = <T>(value: T | undefined, what: string): T => {
    assert.ok(value !== undefined, `${what} missing`);
    return value;
  };
  const btfStart = must(symbol("__start_BTF"), "__start_BTF");
  const btfStop = must(symbol("__stop_BTF"), "__stop_BTF");
  const btf = Btf.parse(await m.read(btfStart, Number(btfStop - btfStart)));
  const off = (s: string, p: string) => must(btf.offsetof(s, p), `${s}.${p}`);
  const ptRegsOffsets: Partial<Record<PtRegName, number>> = {};
  for (const [ours, theirs] of Object.entries(PT_REGS_KERNEL_NAMES))
    ptRegsOffsets[ours as PtRegName] = off("pt_regs", theirs);

  const orc = must(
    await OrcTables.fromKernel({
      read: m.read,
      symbol,
      ...(kernel.view.release ? { release: kernel.view.release } : {}),
    }),
    "ORC tables",
  );
  // modules: the caller's job (kernel/modules does it for the library), with BTF offsets
  const modules: string[] = [];
  const head = must(symbol("modules"), "modules");
  const listOff = BigInt(off("module", "list"));
  for (
    let node = await m.u64(head);
    node !== head && modules.length < 500;
    node = await m.u64(node)
  ) {
    const field = (p: string) => node - listOff + BigInt(off("module", p));
    const name = await m.cString(field("name"), 56);
    const base = await m.u64(field("core_layout.base"));
    const added = orc.addModule({
      name,
      textStart: base,
      textEnd: base + BigInt(await m.u32(field("core_layout.text_size"))),
      ipTable: await m.u64(field("arch.orc_unwind_ip")),
      entryTable: await m.u64(field("arch.orc_unwind")),
      count: await m.u32(field("arch.num_orcs")),
    });
    assert.ok(added, name);
    modules.push(name);
  }
  assert.deepEqual([...modules].sort(), ["buggy", "pvpanic", "pvpanic_mmio", "qemu_fw_cfg"]);

  const ranges: StackRange[] = [];
  const taskStackOff = BigInt(off("task_struct", "stack"));
  const taskStack = async (task: bigint) => {
    const start = await m.u64(task + taskStackOff);
    if (!ranges.some((r) => r.start === start))
      ranges.push({ kind: "task", start, end: start + STACK_SIZE });
  };
  const perCpu = must(symbol("__per_cpu_offset"), "__per_cpu_offset");
  const running = new Set<bigint>();
  for (const cpu of kernel.view.cpus) {
    const base = await m.u64(perCpu + BigInt(cpu.cpu * 8));
    // hardirq_stack_ptr points 8 bytes below the top on 6.1
    const top = (await m.u64(base + must(symbol("hardirq_stack_ptr"), "hardirq_stack_ptr"))) + 8n;
    ranges.push({ kind: "irq", start: top - STACK_SIZE, end: top });
    const current = await m.u64(base + must(symbol("current_task"), "current_task"));
    running.add(current);
    await taskStack(current);
  }
  const sleepingTasks = async () => {
    const tasksOff = BigInt(off("task_struct", "tasks"));
    const first = must(symbol("init_task"), "init_task") + tasksOff;
    const out: bigint[] = [];
    for (let n = await m.u64(first); n !== first && out.length < 100_000; n = await m.u64(n)) {
      const task = n - tasksOff;
      if (running.has(task)) continue;
      await taskStack(task);
      out.push(task);
    }
    return out;
  };
  const comm = (task: bigint) => m.cString(task + BigInt(off("task_struct", "comm")), 16);
  const inactive = {
    bp: off("inactive_task_frame", "bp"),
    ret_addr: off("inactive_task_frame", "ret_addr"),
    size: must(btf.sizeof(must(btf.find("struct inactive_task_frame"), "frame").id), "size"),
  };
  const ctx: UnwindContext = {
    read: m.read,
    orc,
    symbolize: (a) => syms.symbolize(a),
    stackOf: stackClassifier(ranges),
    ptRegsOffsets,
  };
  return {
    kernel,
    sleepingTasks,
    comm,
    ctx,
    orc,
    threadSp: off("task_struct", "thread.sp"),
    inactive,
    ranges,
    taskStack,
    modules,
  };
}

/** crash's frames must appear in ours, in order, with the same ip, slot, name and registers */
function assertContains(ours: Frame[], theirs: CrashFrame[]): { at: number[]; viaRegs: number } {
  const at: number[] = [];
  let viaRegs = 0;
  let i = 0;
  for (const c of theirs) {
    while (i < ours.length && (ours[i] as Frame).ip !== c.ip) i++;
    const f = ours[i];
    assert.ok(f, `crash frame ${c.name} at ${c.ip.toString(16)} not found in order`);
    if (f.sp !== c.slot) {
      // crash's slot after an IRQ-stack switch is the pt_regs address (see the header)
      assert.equal(
        f.regs?.address,
        c.slot,
        `${c.name}: slot ${f.sp.toString(16)} vs crash ${c.slot.toString(16)}`,
      );
      viaRegs++;
    }
    if (f.symbol) assert.equal(f.symbol.name, c.name);
    else assert.equal(f.module, c.module, `${c.name}: module`);
    if (c.regs) {
      assert.ok(f.regs, `${c.name}: crash shows registers`);
      for (const [name, value] of Object.entries(c.regs))
        assert.equal(f.regs.values[name as PtRegName], value, `${c.name}: ${name}`);
    }
    at.push(i);
    i++;
  }
  return { at, viaRegs };
}

describe("unwinding the hung dump's sleeping tasks like crash", () => {
  let labKernel: Lab;
  let crash: Map<number, CrashTask>;
  before(async () => {
    labKernel = await openLab("hung");
    crash = parseCrash(await crashOutput("hung"));
  });
  after(() => labKernel?.kernel.close());

  for (const [pid, comm, stopKind] of [
    [100, "sh", "user-mode"],
    [102, "buggy_worker", "end-of-stack"],
  ] as const)
    it(`${comm} (pid ${pid}): the same frames as crash — slots, ips, names, user registers`, async (t) => {
      const expected = crash.get(pid);
      assert.ok(expected, `crash printed no bt for pid ${pid}`);
      await labKernel.taskStack(expected.task);
      const sp = await labKernel.kernel.memory.u64(expected.task + BigInt(labKernel.threadSp));
      const { frames, stop } = await unwind(labKernel.ctx, {
        kind: "inactive",
        sp,
        layout: labKernel.inactive,
      });
      assert.equal(stop.kind, stopKind, stop.detail);
      assert.equal(frames.length, expected.frames.length);
      const { at, viaRegs } = assertContains(frames, expected.frames);
      assert.deepEqual(at, [...frames.keys()]);
      assert.equal(viaRegs, 0);
      assert.ok(frames.every((f) => f.reliable && f.stack === "task"));
      // with `?` guesses, the trace the hung-task detector logged for it, line for line
      const log = await readFile(join(lab, "hung.kdump-zlib.dmesg.txt"), "latin1");
      const logged = loggedTrace(log, new RegExp(`task:${comm} +state:D`));
      assert.deepEqual(traceLines(await withGuesses(labKernel.ctx, frames)), logged);
      t.diagnostic(`${comm}: ${logged.length} logged trace lines reproduced`);
      t.diagnostic(
        `${comm}: ${frames.length} of ${expected.frames.length} crash frames matched exactly`,
      );
    });
});

const PANIC_TASK_FRAMES: Record<string, number> = {
  hung: 4,
  nullread: 11,
  bugon: 12,
  softlockup: 13,
  oom: 11,
};

for (const name of Object.keys(PANIC_TASK_FRAMES)) {
  describe(`${name}: both CPUs from their NT_PRSTATUS registers`, () => {
    let labKernel: Lab;
    let crash: Map<number, CrashTask>;
    before(async () => {
      labKernel = await openLab(name);
      crash = parseCrash(await crashOutput(name));
    });
    after(() => labKernel?.kernel.close());

    it("the panic CPU: crash's panic-task frames in order, after the pvpanic/notifier frames crash skips", async (t) => {
      const panicCpu = labKernel.kernel.view.panicCpuVariable;
      assert.ok(panicCpu !== undefined && panicCpu >= 0);
      const cpu = labKernel.kernel.view.cpus.find((c) => c.cpu === panicCpu);
      assert.ok(cpu);
      const expected = [...crash.values()].find((c) => c.cpu === panicCpu && c.frames.length > 0);
      assert.ok(expected);
      assert.equal(expected.frames.length, PANIC_TASK_FRAMES[name]);
      const began = performance.now();
      const { frames, stop } = await unwind(labKernel.ctx, {
        kind: "registers",
        registers: cpu.registers,
      });
      const ms = performance.now() - began;
      const { at, viaRegs } = assertContains(frames, expected.frames);
      assert.ok(frames.every((f) => f.reliable));
      // the registers were taken in pvpanic, called through the panic notifier chain
      assert.equal(frames[0]?.module, "pvpanic");
      assert.equal(frames[1]?.symbol?.name, "atomic_notifier_call_chain");
      assert.equal(frames[at[0] as number]?.symbol?.name, "panic");
      assert.equal(stop.kind, name === "hung" ? "end-of-stack" : "user-mode", stop.detail);
      // the user registers crash printed for the syscall frame match too (assertContains)
      assert.equal(frames[frames.length - 1]?.regs?.values.cs, name === "hung" ? undefined : 0x33n);
      assert.equal(viaRegs, name === "softlockup" ? 1 : 0);
      t.diagnostic(
        `${name}: ${expected.frames.length}/${expected.frames.length} crash frames found (${expected.frames.length - viaRegs} with identical slots), ${frames.length} frames in all, ${ms.toFixed(1)} ms`,
      );
    });

    it("the other CPU: through its IRQ stack (stop_this_cpu) back into the interrupted task's stack, where crash fails", async () => {
      const panicCpu = labKernel.kernel.view.panicCpuVariable;
      const cpu = labKernel.kernel.view.cpus.find((c) => c.cpu !== panicCpu);
      assert.ok(cpu);
      const { frames, stop } = await unwind(labKernel.ctx, {
        kind: "registers",
        registers: cpu.registers,
      });
      assert.equal(stop.kind, "end-of-stack", stop.detail);
      const names = frames.map((f) => f.symbol?.name);
      assert.equal(names[0], "stop_this_cpu");
      assert.deepEqual(
        frames.slice(0, 3).map((f) => f.stack),
        ["irq", "irq", "irq"],
      );
      assert.ok(names.includes("__sysvec_reboot") && names.includes("sysvec_reboot"));
      const entry = frames.find((f) => f.symbol?.name === "asm_sysvec_reboot");
      assert.equal(entry?.stack, "task");
      assert.equal(entry?.regs?.values.cs, 0x10n);
      // the interrupted task: the idle loop, except in oom where kcompactd was flushing TLBs
      const interrupted =
        name === "oom"
          ? ["on_each_cpu_cond_mask", "kcompactd", "kthread", "ret_from_fork"]
          : ["do_idle", "cpu_startup_entry", "secondary_startup_64_no_verify"];
      for (const n of interrupted) assert.ok(names.includes(n), `${n} in ${names.join(" ")}`);
      assert.ok(frames.every((f) => f.reliable));
      assert.match(await crashOutput(name), /bt: read of stack at [0-9a-f]+ failed/);
    });

    it("every sleeping task unwinds to a normal end (end of stack or user mode), every frame reliable", async (t) => {
      const tasks = await labKernel.sleepingTasks();
      assert.ok(tasks.length >= 50, `${tasks.length} tasks`);
      let frames = 0;
      for (const task of tasks) {
        const sp = await labKernel.kernel.memory.u64(task + BigInt(labKernel.threadSp));
        const result = await unwind(labKernel.ctx, {
          kind: "inactive",
          sp,
          layout: labKernel.inactive,
        });
        const who = `${await labKernel.comm(task)} (${task.toString(16)})`;
        assert.ok(
          ["end-of-stack", "user-mode"].includes(result.stop.kind),
          `${who}: ${result.stop.detail}`,
        );
        assert.ok(result.frames.length >= 3, who);
        assert.ok(
          result.frames.every(
            (f) => f.reliable && (f.symbol !== undefined || f.module !== undefined),
          ),
          who,
        );
        // a sleeping task is in the scheduler, and its kernel stack starts at fork or at a syscall
        assert.equal(result.frames[0]?.symbol?.name, "__schedule", who);
        const last = result.frames[result.frames.length - 1]?.symbol?.name;
        assert.ok(
          last === "ret_from_fork" || last === "entry_SYSCALL_64_after_hwframe",
          `${who}: ${last}`,
        );
        frames += result.frames.length;
      }
      t.diagnostic(`${name}: ${tasks.length} sleeping tasks, ${frames} frames`);
    });

    if (name !== "hung" && name !== "oom")
      it("the exception/interrupt frame's pt_regs equal the registers the kernel logged, and the trace above them its logged trace", async (t) => {
        const cpu = labKernel.kernel.view.cpus.find(
          (c) => c.cpu === labKernel.kernel.view.panicCpuVariable,
        );
        assert.ok(cpu);
        const { frames } = await unwind(labKernel.ctx, {
          kind: "registers",
          registers: cpu.registers,
        });
        const regs = frames.find((f) => f.regs?.full && f.regs.values.cs === 0x10n);
        const entry = {
          nullread: "asm_exc_page_fault",
          bugon: "asm_exc_invalid_op",
          softlockup: "asm_sysvec_apic_timer_interrupt",
        }[name];
        assert.equal(regs?.symbol?.name, entry);
        const logged = oopsRegisters(
          await readFile(join(lab, `${name}.kdump-zlib.dmesg.txt`), "latin1"),
        );
        assert.equal(Object.keys(logged).length, 17); // rsp, rflags and 15 general registers
        for (const [reg, value] of Object.entries(logged))
          assert.equal(regs?.regs?.values[reg as PtRegName], value, reg);
        // the faulting function is in module buggy, as the log's `RIP: 0010:… [buggy]` says
        assert.equal(labKernel.orc.textOwner(regs?.regs?.values.rip ?? 0n), "buggy");
        // the stack above the exception is as the kernel left it: its logged trace, `?` lines too
        const log = await readFile(join(lab, `${name}.kdump-zlib.dmesg.txt`), "latin1");
        const trace = loggedTrace(log, / RIP: 0010:/);
        const guessed = await withGuesses(labKernel.ctx, frames);
        const from = guessed.findIndex((f) => f.sp === regs?.sp && f.ip === regs.ip) + 1;
        assert.ok(from > 0);
        assert.deepEqual(traceLines(guessed.slice(from)), trace);
        t.diagnostic(`${name}: ${trace.length} logged trace lines reproduced`);
      });
  });
}
