/**
 * The arm64 frame-record walker on synthetic stacks: frame records, PAC-signed return
 * addresses, an EL1 exception's pt_regs, the user-mode pt_regs at a task's top, the zeroed
 * one of a kthread, an IRQ stack, and the ways a bad chain must stop.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ARM64_PT_REGS_DEFAULT } from "./arm64-regs.js";
import { stackClassifier } from "./stacks.js";
import { FakeMemory } from "./test-support.js";
import type { StackRange, SymbolInfo, UnwindContext } from "./types.js";
import { unwind } from "./unwind.js";

const PAC = 0xffff000000000000n;
const TEXT = 0xffff800008010000n;
const TEXT_END = 0xffff800008020000n;
/** functions, 0x100 bytes each, in this order from TEXT */
const FUNCTIONS = [
  "__switch_to",
  "__schedule",
  "schedule",
  "worker_fn",
  "kthread",
  "ret_from_fork",
  "el1h_64_sync",
  "el1h_64_sync_handler",
  "do_mem_abort",
  "faulting_fn",
  "caller_fn",
  "el0t_64_sync",
  "el0t_64_sync_handler",
  "irq_handler",
  "call_on_irq_stack",
] as const;
type Name = (typeof FUNCTIONS)[number];
const fn = (name: Name, offset = 0x10) => TEXT + BigInt(FUNCTIONS.indexOf(name) * 0x100 + offset);
/** a return address as the CPU saved it: PAC bits in the top 16 */
const signed = (address: bigint) => (address & ~PAC) | 0x2f80000000000000n; // bit 55 kept

const STACK = 0xffff800008200000n;
const STACK_SIZE = 0x4000n;
const TOP = STACK + STACK_SIZE;
const IRQ = 0xffff800008000000n;
const R = ARM64_PT_REGS_DEFAULT;
/** the pt_regs at the top of the task stack and its stackframe record */
const TOP_REGS = TOP - BigInt(R.size);
const TOP_RECORD = TOP_REGS + BigInt(R.stackframe);

function symbolize(address: bigint): SymbolInfo | undefined {
  if (address < TEXT || address >= TEXT_END) return undefined;
  const index = Number((address - TEXT) / 0x100n);
  const name = FUNCTIONS[index];
  return name === undefined ? undefined : { name, offset: Number((address - TEXT) % 0x100n) };
}

function context(memory: FakeMemory, ranges: StackRange[] = []): UnwindContext {
  return {
    read: memory.read,
    symbolize,
    isText: (a) => a >= TEXT && a < TEXT_END,
    stackOf: stackClassifier([{ kind: "task", start: STACK, end: TOP }, ...ranges]),
    arch: "arm64",
    arm64: { pacMask: PAC, ptRegs: R, threadSize: STACK_SIZE },
  };
}

/** writes a frame record {fp, lr} at `at` */
const record = (m: FakeMemory, at: bigint, fp: bigint, lr: bigint) => {
  m.u64(at, fp);
  m.u64(at + 8n, lr);
};

/** pt_regs at `at`: x29, x30, sp, pc, pstate and its stackframe record */
function ptRegs(
  m: FakeMemory,
  at: bigint,
  v: { x29: bigint; x30: bigint; sp: bigint; pc: bigint; pstate: bigint },
  stackframe: [bigint, bigint],
) {
  m.u64(at + BigInt(R.regs + 29 * 8), v.x29);
  m.u64(at + BigInt(R.regs + 30 * 8), v.x30);
  m.u64(at + BigInt(R.sp), v.sp);
  m.u64(at + BigInt(R.pc), v.pc);
  m.u64(at + BigInt(R.pstate), v.pstate);
  record(m, at + BigInt(R.stackframe), ...stackframe);
}

/** a kthread asleep: __switch_to ← __schedule ← schedule ← worker_fn ← kthread ← ret_from_fork */
function sleepingKthread(): { memory: FakeMemory; fp: bigint } {
  const m = new FakeMemory();
  m.map(STACK, Number(STACK_SIZE));
  const records = [
    STACK + 0x3c00n,
    STACK + 0x3c40n,
    STACK + 0x3ca0n,
    STACK + 0x3d00n,
    STACK + 0x3e70n,
  ];
  const callers: Name[] = ["__schedule", "schedule", "worker_fn", "kthread"];
  records.slice(0, -1).forEach((at, i) => {
    record(m, at, records[i + 1] as bigint, signed(fn(callers[i] as Name, 0x44)));
  });
  // kthread's record → ret_from_fork's, which is the {0, 0} in the zeroed top pt_regs
  record(m, records[4] as bigint, TOP_RECORD, signed(fn("ret_from_fork", 0x10)));
  return { memory: m, fp: records[0] as bigint };
}

describe("arm64 frame records", () => {
  it("unwinds a sleeping kthread from cpu_context to ret_from_fork, slots as crash prints them", async () => {
    const { memory, fp } = sleepingKthread();
    const result = await unwind(context(memory), {
      kind: "cpu-context",
      pc: signed(fn("__switch_to", 0xe8)),
      sp: fp,
      fp,
    });
    assert.equal(result.method, "frame-record");
    assert.equal(result.stop.kind, "end-of-stack", result.stop.detail);
    assert.deepEqual(
      result.frames.map((f) => f.symbol?.name),
      ["__switch_to", "__schedule", "schedule", "worker_fn", "kthread", "ret_from_fork"],
    );
    // crash's slot is each function's own frame record; `at` is the bl before the return
    assert.deepEqual(
      result.frames.map((f) => f.sp),
      [
        STACK + 0x3c00n,
        STACK + 0x3c40n,
        STACK + 0x3ca0n,
        STACK + 0x3d00n,
        STACK + 0x3e70n,
        TOP_RECORD,
      ],
    );
    const first = result.frames[0];
    assert.equal(first?.ip, fn("__switch_to", 0xe8), "PAC bits stripped");
    assert.equal(first?.callSite, fn("__switch_to", 0xe4));
    assert.equal(
      first?.symbol?.offset,
      0xe8,
      "the offset of the return address, as the kernel prints",
    );
    assert.ok(
      result.frames.every((f) => f.regs === undefined),
      "a kthread's zeroed pt_regs is not shown",
    );
  });

  it("links through an EL1 exception: the entry frame gets the pt_regs, the interrupted pc follows", async () => {
    const m = new FakeMemory();
    m.map(STACK, Number(STACK_SIZE));
    const regsAt = STACK + 0x3000n;
    const entryRecord = regsAt + BigInt(R.stackframe);
    const callerRecord = STACK + 0x3400n; // caller_fn's record (faulting_fn is a leaf)
    // do_mem_abort ← el1h_64_sync_handler ← el1h_64_sync
    record(m, STACK + 0x2f00n, STACK + 0x2f40n, signed(fn("el1h_64_sync_handler", 0x30)));
    record(m, STACK + 0x2f40n, entryRecord, signed(fn("el1h_64_sync", 0x7c)));
    ptRegs(
      m,
      regsAt,
      {
        x29: callerRecord,
        x30: fn("caller_fn", 0x20),
        sp: callerRecord,
        pc: fn("faulting_fn", 8),
        pstate: 0x60400005n,
      },
      [callerRecord, fn("faulting_fn", 8)],
    );
    record(m, callerRecord, 0n, 0n);
    const result = await unwind(context(m), {
      kind: "registers",
      registers: {
        pc: fn("do_mem_abort", 0x20),
        sp: STACK + 0x2f00n,
        x29: STACK + 0x2f00n,
        pstate: 0x3c5n,
      },
    });
    assert.deepEqual(
      result.frames.map((f) => `${f.kind}:${f.symbol?.name}`),
      [
        "registers:do_mem_abort",
        "return:el1h_64_sync_handler",
        "return:el1h_64_sync",
        "interrupted:faulting_fn",
      ],
    );
    const entry = result.frames[2];
    assert.equal(entry?.regs?.arch, "arm64");
    assert.equal(entry?.regs?.values.pc, fn("faulting_fn", 8));
    assert.equal(entry?.regs?.values.x30, fn("caller_fn", 0x20));
    assert.equal(result.frames[3]?.symbol?.offset, 8, "an interrupted pc is looked up as is");
    assert.equal(result.frames[3]?.callSite, undefined);
    assert.equal(result.stop.kind, "end-of-stack");
  });

  it("v6.13+ meta records: {0, 0, PT_REGS} links an exception, {0, 0, FINAL} ends the stack", async () => {
    const m = new FakeMemory();
    m.map(STACK, Number(STACK_SIZE));
    const regsAt = STACK + 0x3000n;
    const entryRecord = regsAt + BigInt(R.stackframe);
    const callerRecord = STACK + 0x3400n;
    record(m, STACK + 0x2f00n, entryRecord, signed(fn("do_mem_abort", 0x30)));
    ptRegs(
      m,
      regsAt,
      {
        x29: callerRecord,
        x30: 0n,
        sp: callerRecord,
        pc: fn("faulting_fn", 8),
        pstate: 0x60400005n,
      },
      [0n, 0n],
    );
    m.u64(entryRecord + 16n, 2n); // FRAME_META_TYPE_PT_REGS
    record(m, callerRecord, TOP_RECORD, signed(fn("caller_fn", 0x20)));
    m.u64(TOP_RECORD + 16n, 1n); // FRAME_META_TYPE_FINAL
    const ctx = context(m);
    const result = await unwind(
      {
        ...ctx,
        arm64: { pacMask: PAC, ptRegs: { ...R, metaRecord: true }, threadSize: STACK_SIZE },
      },
      {
        kind: "registers",
        registers: {
          pc: fn("el1h_64_sync_handler"),
          sp: STACK + 0x2f00n,
          x29: STACK + 0x2f00n,
          pstate: 0x3c5n,
        },
      },
    );
    assert.deepEqual(
      result.frames.map((f) => `${f.kind}:${f.symbol?.name}`),
      [
        "registers:el1h_64_sync_handler",
        "return:do_mem_abort",
        "interrupted:faulting_fn",
        "return:caller_fn",
      ],
    );
    assert.equal(result.frames[1]?.regs?.values.pc, fn("faulting_fn", 8));
    assert.equal(result.stop.kind, "end-of-stack");
    assert.match(result.stop.detail, /final frame record/);
  });

  it("stops at the user-mode pt_regs at the top of a task's stack, attaching them", async () => {
    const m = new FakeMemory();
    m.map(STACK, Number(STACK_SIZE));
    record(m, STACK + 0x3e80n, TOP_RECORD, signed(fn("el0t_64_sync", 0x8c)));
    ptRegs(
      m,
      TOP_REGS,
      {
        x29: 0xffffd77a17d0n,
        x30: 0x4ba534n,
        sp: 0xffffd77a17d0n,
        pc: 0x44a7ccn,
        pstate: 0x20001000n,
      },
      [0n, 0n],
    );
    const result = await unwind(context(m), {
      kind: "cpu-context",
      pc: fn("el0t_64_sync_handler", 0xf4),
      sp: STACK + 0x3e80n,
      fp: STACK + 0x3e80n,
    });
    assert.equal(result.stop.kind, "user-mode", result.stop.detail);
    const last = result.frames[result.frames.length - 1];
    assert.equal(last?.symbol?.name, "el0t_64_sync");
    assert.equal(last?.sp, TOP_RECORD);
    assert.equal(last?.regs?.values.pc, 0x44a7ccn);
  });

  it("follows the IRQ stack's first record back to the task stack", async () => {
    const m = new FakeMemory();
    m.map(STACK, Number(STACK_SIZE));
    m.map(IRQ, Number(STACK_SIZE));
    const taskRecord = STACK + 0x3800n;
    record(m, IRQ + 0x3f00n, taskRecord, signed(fn("call_on_irq_stack", 0x28)));
    record(m, taskRecord, 0n, 0n);
    const irq: StackRange = { kind: "irq", start: IRQ, end: IRQ + STACK_SIZE };
    const result = await unwind(context(m, [irq]), {
      kind: "registers",
      registers: {
        pc: fn("irq_handler", 0x10),
        sp: IRQ + 0x3f00n,
        x29: IRQ + 0x3f00n,
        pstate: 0x3c5n,
      },
    });
    assert.deepEqual(
      result.frames.map((f) => `${f.stack}:${f.symbol?.name}`),
      ["irq:irq_handler", "task:call_on_irq_stack"],
    );
    assert.equal(result.stop.kind, "end-of-stack");
  });

  it("a CPU stopped in user mode has no kernel stack", async () => {
    const result = await unwind(context(new FakeMemory()), {
      kind: "registers",
      registers: { pc: 0x400000n, sp: 0x7ff0n, x29: 0n, pstate: 0x0n },
    });
    assert.equal(result.stop.kind, "user-mode");
    assert.equal(result.frames.length, 0);
  });

  for (const [what, fp, next, kind] of [
    ["a record pointing at itself", STACK + 0x3c00n, STACK + 0x3c00n, "sp-not-increasing"],
    ["a record pointing down the stack", STACK + 0x3c00n, STACK + 0x3b00n, "sp-not-increasing"],
    ["a misaligned frame pointer", STACK + 0x3c00n, STACK + 0x3c44n, "bad-frame-record"],
    ["a record off every stack", STACK + 0x3c00n, 0xffff000012345670n, "sp-off-stack"],
  ] as const) {
    it(`stops at ${what}`, async () => {
      const m = new FakeMemory();
      m.map(STACK, Number(STACK_SIZE));
      record(m, fp, next, signed(fn("schedule", 0x20)));
      const result = await unwind(
        context(m),
        { kind: "cpu-context", pc: fn("__switch_to", 0xe8), sp: fp, fp },
        { scanOnFailure: false },
      );
      assert.equal(result.stop.kind, kind, result.stop.detail);
      assert.ok(result.frames.length <= 2);
    });
  }

  it("stops at a return address outside text, and at an unreadable record", async () => {
    const m = new FakeMemory();
    m.map(STACK, Number(STACK_SIZE));
    record(m, STACK + 0x3c00n, STACK + 0x3d00n, 0xffff000000001234n);
    const ctx = context(m);
    const notText = await unwind(
      ctx,
      { kind: "cpu-context", pc: fn("__switch_to"), sp: STACK + 0x3c00n, fp: STACK + 0x3c00n },
      { scanOnFailure: false },
    );
    assert.equal(notText.stop.kind, "not-text");
    const unreadable = await unwind(
      { ...ctx, stackOf: undefined },
      {
        kind: "cpu-context",
        pc: fn("__switch_to"),
        sp: 0xffff800009000000n,
        fp: 0xffff800009000000n,
      },
      { scanOnFailure: false },
    );
    assert.equal(unreadable.stop.kind, "unreadable");
  });

  it("after an abnormal stop, scans the rest of the stack for signed return addresses (? frames)", async () => {
    const m = new FakeMemory();
    m.map(STACK, Number(STACK_SIZE));
    m.map(TEXT, 0x10000);
    record(m, STACK + 0x3c00n, STACK + 0x3c00n, signed(fn("schedule", 0x20)));
    // a stale return address further up, after a `bl` (0x94000000 | imm26)
    m.u32(fn("worker_fn", 0x40), 0x97ffff00);
    m.u64(STACK + 0x3d08n, signed(fn("worker_fn", 0x44)));
    const result = await unwind(context(m), {
      kind: "cpu-context",
      pc: fn("__switch_to", 0xe8),
      sp: STACK + 0x3c00n,
      fp: STACK + 0x3c00n,
    });
    const guess = result.frames.find((f) => !f.reliable);
    assert.equal(guess?.symbol?.name, "worker_fn");
    assert.equal(guess?.ip, fn("worker_fn", 0x44));
  });
});
