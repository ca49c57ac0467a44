import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PT_REGS_MEMBERS } from "./pt-regs.js";
import { stackClassifier } from "./stacks.js";
import { call, endOfStack, FakeMemory, fakeVmlinuxOrc, regsAt, TEXT } from "./test-support.js";
import type { OrcEntry, PtRegName, SymbolInfo, UnwindContext } from "./types.js";
import { unwind } from "./unwind.js";

// a pretend kernel: one ORC row per "function", 0x100 bytes each
const F = {
  sched: TEXT + 0x100n,
  a: TEXT + 0x200n,
  excEntry: TEXT + 0x300n,
  fault: TEXT + 0x400n,
  syscallEntry: TEXT + 0x500n,
  irqSwitch: TEXT + 0x600n,
  end: TEXT + 0x700n,
  loop: TEXT + 0x800n,
  noInfo: TEXT + 0x900n,
  tail: TEXT + 0xa00n,
};
const NAMES = Object.entries(F).sort((x, y) => (x[1] < y[1] ? -1 : 1));
const spIndirect: OrcEntry = { ...call(8), spReg: "sp-indirect" };
const ORC_ROWS = [
  { ip: TEXT, entry: call(8) },
  { ip: F.sched, entry: call(16) },
  { ip: F.a, entry: call(8) },
  { ip: F.excEntry, entry: regsAt(0) },
  { ip: F.fault, entry: call(8) },
  { ip: F.syscallEntry, entry: regsAt(0) },
  { ip: F.irqSwitch, entry: spIndirect },
  { ip: F.end, entry: endOfStack },
  { ip: F.loop, entry: call(0) },
  { ip: F.noInfo, entry: { ...endOfStack, type: "undefined" as const } },
  { ip: F.tail, entry: call(8) },
];

const symbolize = (address: bigint): SymbolInfo | undefined => {
  for (let i = NAMES.length - 1; i >= 0; i--) {
    const [name, start] = NAMES[i] as [string, bigint];
    if (address >= start && address < start + 0x100n)
      return { name, offset: Number(address - start), size: 0x100 };
  }
  return undefined;
};

const TASK = 0xffffc90000010000n;
const TASK_END = TASK + 0x4000n;
const IRQ = 0xffffc90000100000n;
const IRQ_END = IRQ + 0x4000n;
const stackOf = stackClassifier([
  { kind: "task", start: TASK, end: TASK_END },
  { kind: "irq", start: IRQ, end: IRQ_END },
]);

function setup() {
  const memory = new FakeMemory();
  memory.map(TASK, 0x4000);
  memory.map(IRQ, 0x4000);
  const orc = fakeVmlinuxOrc(memory, ORC_ROWS);
  const ctx: UnwindContext = { read: memory.read, orc, symbolize, stackOf };
  return { memory, ctx };
}

function writeRegs(memory: FakeMemory, at: bigint, values: Partial<Record<PtRegName, bigint>>) {
  PT_REGS_MEMBERS.forEach((name, i) => {
    memory.u64(at + BigInt(i * 8), values[name] ?? BigInt(i + 0x100));
  });
}

const INACTIVE = { bp: 40, ret_addr: 48, size: 56 };

describe("unwind (ORC) on a synthetic stack", () => {
  it("a sleeping task: inactive_task_frame → calls → exception pt_regs → calls → user pt_regs", async () => {
    const { memory, ctx } = setup();
    const S = TASK + 0x3000n;
    memory.u64(S + 40n, 0xbbbbn); // saved rbp
    memory.u64(S + 48n, F.sched + 0x20n); // ret_addr
    memory.u64(S + 64n, F.a + 0x10n); // sched: CFA = S+56+16
    memory.u64(S + 72n, F.excEntry + 0x8n); // a: CFA = S+80
    const interruptedSp = TASK + 0x3e00n;
    writeRegs(memory, S + 80n, { rip: F.fault + 5n, rsp: interruptedSp, cs: 0x10n, rbp: 9n });
    memory.u64(interruptedSp, F.a + 0x30n); // fault: CFA = rsp + 8
    memory.u64(interruptedSp + 8n, F.syscallEntry + 0x10n); // a
    const userRegs = TASK_END - 168n;
    writeRegs(memory, userRegs, { rip: 0x47b7a0n, rsp: 0x7ffe0000n, cs: 0x33n, ss: 0x2bn });
    // interruptedSp + 16 must be the user pt_regs for the last step: put them there
    writeRegs(memory, interruptedSp + 16n, { rip: 0x47b7a0n, rsp: 0x7ffe0000n, cs: 0x33n });

    const { frames, stop } = await unwind(ctx, { kind: "inactive", sp: S, layout: INACTIVE });
    assert.equal(stop.kind, "user-mode");
    assert.deepEqual(
      frames.map((f) => [f.index, f.kind, f.sp - TASK, f.symbol?.name, f.symbol?.offset]),
      [
        [0, "return", S + 48n - TASK, "sched", 0x20],
        [1, "return", S + 64n - TASK, "a", 0x10],
        [2, "return", S + 72n - TASK, "excEntry", 0x8],
        [3, "return", interruptedSp - TASK, "a", 0x30],
        [4, "return", interruptedSp + 8n - TASK, "syscallEntry", 0x10],
      ],
    );
    assert.ok(frames.every((f) => f.reliable && f.stack === "task"));
    assert.equal(frames[2]?.regs?.address, S + 80n);
    assert.equal(frames[2]?.regs?.values.rip, F.fault + 5n);
    assert.equal(frames[2]?.regs?.full, true);
    assert.equal(frames[4]?.regs?.values.cs, 0x33n);
    assert.equal(frames[4]?.regs?.values.rip, 0x47b7a0n);
  });

  it("a task that never ran 'returns' to the first byte of ret_from_fork: looked up as is, not at ip − 1", async () => {
    const { memory, ctx } = setup();
    const S = TASK + 0x3f00n;
    memory.u64(S + 48n, F.end); // offset 0 of the end-of-stack function
    const { frames, stop } = await unwind(ctx, { kind: "inactive", sp: S, layout: INACTIVE });
    assert.equal(stop.kind, "end-of-stack"); // at ip − 1 it would have been irqSwitch's entry
    assert.deepEqual(
      frames.map((f) => [f.sp, f.ip, f.symbol?.name, f.symbol?.offset]),
      [[S + 48n, F.end, "end", 0]],
    );
  });

  it("CPU registers on an IRQ stack: the saved previous rsp (SP_INDIRECT) leads back to the task stack", async () => {
    const { memory, ctx } = setup();
    const tos = IRQ_END - 8n;
    const old = TASK + 0x3f00n;
    memory.u64(tos, old); // call_on_stack() stores the previous rsp at the top of the IRQ stack
    memory.u64(tos - 8n, F.irqSwitch + 0x10n);
    memory.u64(old, F.tail + 0x50n);
    memory.u64(old + 8n, F.end + 0x4n);
    const registers = { rip: F.a + 4n, rsp: tos - 8n, rbp: 1n };
    const { frames, stop } = await unwind(ctx, { kind: "registers", registers });
    assert.equal(stop.kind, "end-of-stack");
    assert.deepEqual(
      frames.map((f) => [f.kind, f.sp, f.symbol?.name, f.stack]),
      [
        ["registers", tos - 8n, "a", "irq"],
        ["return", tos - 8n, "irqSwitch", "irq"],
        ["return", old, "tail", "task"],
        ["return", old + 8n, "end", "task"],
      ],
    );
  });

  it("without a stack classifier, a move down to another stack is refused, not followed", async () => {
    const { memory, ctx } = setup();
    const tos = IRQ_END - 8n;
    memory.u64(tos, TASK + 0x3f00n);
    memory.u64(tos - 8n, F.irqSwitch + 0x10n);
    const { stackOf: _, ...bare } = ctx;
    const { frames, stop } = await unwind(
      bare,
      { kind: "registers", registers: { rip: F.a + 4n, rsp: tos - 8n } },
      { scanOnFailure: false },
    );
    assert.equal(stop.kind, "sp-not-increasing");
    assert.equal(frames.length, 2);
  });

  it("stops, with a reason, on a frame that does not move the stack pointer", async () => {
    const { ctx } = setup();
    const { stop } = await unwind(
      ctx,
      { kind: "registers", registers: { rip: F.loop + 1n, rsp: TASK + 0x100n } },
      { scanOnFailure: false },
    );
    assert.equal(stop.kind, "sp-not-increasing");
  });

  it("ip 0 (a call through a NULL pointer): the return address is at rsp, as orc_find's null entry says", async () => {
    const { memory, ctx } = setup();
    memory.u64(TASK + 0x100n, F.a + 0x10n);
    memory.u64(TASK + 0x108n, F.end + 1n);
    const { frames, stop } = await unwind(ctx, {
      kind: "registers",
      registers: { rip: 0n, rsp: TASK + 0x100n },
    });
    assert.equal(stop.kind, "end-of-stack");
    assert.deepEqual(
      frames.map((f) => [f.sp, f.ip, f.reliable]),
      [
        [TASK + 0x100n, 0n, true],
        [TASK + 0x100n, F.a + 0x10n, true],
        [TASK + 0x108n, F.end + 1n, true],
      ],
    );
  });

  it("a stack exactly as deep as the limit ends normally; one frame deeper hits the limit", async () => {
    const { memory, ctx } = setup();
    memory.u64(TASK + 0x100n, F.a + 0x10n);
    memory.u64(TASK + 0x108n, F.end + 1n);
    const start = { kind: "registers" as const, registers: { rip: F.a + 1n, rsp: TASK + 0x100n } };
    assert.equal((await unwind({ ...ctx, maxFrames: 3 }, start)).stop.kind, "end-of-stack");
    const limited = await unwind({ ...ctx, maxFrames: 2 }, start);
    assert.equal(limited.stop.kind, "frame-limit");
    assert.equal(limited.frames.length, 2);
  });

  it("a caller callback that throws becomes a stop reason, not an exception", async () => {
    const { ctx } = setup();
    const result = await unwind(
      {
        ...ctx,
        symbolize: () => {
          throw new Error("symbols exploded");
        },
      },
      { kind: "registers", registers: { rip: F.a + 1n, rsp: TASK } },
    );
    assert.equal(result.stop.kind, "internal-error");
    assert.match(result.stop.detail, /symbols exploded/);
  });

  it("stops at the frame limit on endless recursion", async () => {
    const { memory, ctx } = setup();
    for (let i = 0; i < 0x800; i++) memory.u64(TASK + BigInt(i * 8), F.a + 0x10n);
    const { frames, stop } = await unwind(
      { ...ctx, maxFrames: 5 },
      { kind: "registers", registers: { rip: F.a + 1n, rsp: TASK } },
    );
    assert.equal(stop.kind, "frame-limit");
    assert.equal(frames.length, 5);
  });

  it("unreadable stack, non-text return address, zero ip, missing registers: each its own reason", async () => {
    const { memory, ctx } = setup();
    const outside = await unwind(ctx, {
      kind: "registers",
      registers: { rip: F.a + 1n, rsp: 0xffffc90000200000n },
    });
    assert.equal(outside.stop.kind, "unreadable");
    assert.match(outside.stop.detail, /ffffc90000200000|fault/);

    memory.u64(TASK + 0x200n, 0x1234n);
    const data = await unwind(
      ctx,
      { kind: "registers", registers: { rip: F.a + 1n, rsp: TASK + 0x200n } },
      { scanOnFailure: false },
    );
    assert.equal(data.stop.kind, "not-text");
    assert.equal(data.frames.length, 1);

    memory.u64(TASK + 0x300n, 0n);
    const zero = await unwind(
      ctx,
      { kind: "registers", registers: { rip: F.a + 1n, rsp: TASK + 0x300n } },
      { scanOnFailure: false },
    );
    assert.equal(zero.stop.kind, "zero-ip");

    const user = await unwind(ctx, {
      kind: "registers",
      registers: { rip: 0x401000n, rsp: 0x7ffd0000n, cs: 0x33n },
    });
    assert.equal(user.stop.kind, "user-mode");
    assert.equal(user.frames.length, 0);

    const bad = await unwind(ctx, { kind: "registers", registers: { rsp: TASK } });
    assert.equal(bad.stop.kind, "bad-start");
    assert.equal(bad.frames.length, 0);

    const inactive = await unwind(ctx, {
      kind: "inactive",
      sp: 0xffffc90000200000n,
      layout: INACTIVE,
    });
    assert.equal(inactive.stop.kind, "unreadable");
  });

  it("text without ORC (an unregistered module): the frame-pointer guess, marked unreliable", async () => {
    const { memory, ctx } = setup();
    const moduleIp = 0xffffffffc0400010n;
    const bp = TASK + 0x1000n;
    memory.u64(bp, TASK + 0x2000n); // caller's rbp
    memory.u64(bp + 8n, F.tail + 0x20n);
    memory.u64(bp + 16n, F.end + 1n); // tail: CFA = bp+16+8
    const { frames, stop } = await unwind(ctx, {
      kind: "registers",
      registers: { rip: moduleIp, rsp: TASK + 0xf00n, rbp: bp },
    });
    assert.equal(stop.kind, "end-of-stack");
    assert.deepEqual(
      frames.map((f) => [f.sp, f.symbol?.name, f.reliable]),
      [
        [TASK + 0xf00n, undefined, true],
        [bp + 8n, "tail", false],
        [bp + 16n, "end", false],
      ],
    );
  });

  it("after a failure, the rest of the stack is scanned for return addresses after a call (`?` frames)", async () => {
    const { memory, ctx } = setup();
    // a call instruction (e8 rel32) right before each planted return address
    memory.write(F.a + 0x30n - 5n, Uint8Array.from([0xe8, 0, 0, 0, 0]));
    memory.write(F.tail + 0x40n - 2n, Uint8Array.from([0xff, 0xd0])); // call *%rax
    memory.map(F.sched, 16); // no call before sched+0x8
    memory.u64(TASK + 0x100n, F.a + 0x30n);
    memory.u64(TASK + 0x108n, 0xffff888012345678n); // data
    memory.u64(TASK + 0x110n, F.sched + 0x8n); // text, but no call before it
    memory.u64(TASK + 0x118n, F.tail + 0x40n);
    const { frames, stop } = await unwind(ctx, {
      kind: "registers",
      registers: { rip: F.noInfo + 4n, rsp: TASK + 0x100n },
    });
    assert.equal(stop.kind, "no-unwind-info");
    assert.deepEqual(
      frames.map((f) => [f.index, f.kind, f.sp, f.symbol?.name, f.reliable]),
      [
        [0, "registers", TASK + 0x100n, "noInfo", true],
        [1, "scanned", TASK + 0x100n, "a", false],
        [2, "scanned", TASK + 0x118n, "tail", false],
      ],
    );
  });

  it("CFA from r10 (stack realignment) needs known registers; rbp restored from [rbp] feeds the next CFA", async () => {
    const memory = new FakeMemory();
    memory.map(TASK, 0x4000);
    // a: CFA = r10, and the caller's rbp is at [rbp + 0]; tail: CFA = rbp + 16 (a frame pointer)
    const realign: OrcEntry = { ...call(0), spReg: "r10", bpReg: "bp", bpOffset: 0 };
    const framed: OrcEntry = { ...call(16), spReg: "bp", bpReg: "prev-sp", bpOffset: -16 };
    const orc = fakeVmlinuxOrc(memory, [
      { ip: TEXT, entry: call(8) },
      { ip: F.a, entry: realign },
      { ip: F.end, entry: endOfStack },
      { ip: F.loop, entry: call(8) },
      { ip: F.tail, entry: framed },
    ]);
    const ctx = { read: memory.read, orc, symbolize, stackOf };
    const r10 = TASK + 0x2000n;
    const bp = TASK + 0x1800n;
    const callerBp = TASK + 0x3000n;
    memory.u64(bp, callerBp);
    memory.u64(r10 - 8n, F.tail + 0x10n);
    memory.u64(callerBp + 8n, F.end + 1n);
    const known = await unwind(ctx, {
      kind: "registers",
      registers: { rip: F.a + 1n, rsp: TASK + 0x1000n, rbp: bp, r10 },
    });
    assert.equal(known.stop.kind, "end-of-stack", `${known.stop.kind}: ${known.stop.detail}`);
    assert.deepEqual(
      known.frames.map((f) => [f.sp, f.symbol?.name]),
      [
        [TASK + 0x1000n, "a"],
        [r10 - 8n, "tail"],
        [callerBp + 8n, "end"],
      ],
    );
    // the same frame reached by a return (registers unknown) cannot be unwound
    memory.u64(TASK + 0x1000n, F.a + 0x10n);
    const unknown = await unwind(
      ctx,
      { kind: "registers", registers: { rip: TEXT + 1n, rsp: TASK + 0x1000n, rbp: bp } },
      { scanOnFailure: false },
    );
    assert.equal(unknown.stop.kind, "register-unknown");
    assert.equal(unknown.frames.length, 2);
  });

  it("an IRET frame (REGS_PARTIAL) gives rip/rsp from the CFA, pt_regs 128 bytes below", async () => {
    const memory = new FakeMemory();
    memory.map(TASK, 0x4000);
    const rows = [
      { ip: TEXT, entry: call(8) },
      { ip: F.a, entry: regsAt(8, "regs-partial") },
      { ip: F.end, entry: endOfStack },
    ];
    const orc = fakeVmlinuxOrc(memory, rows);
    const sp = TASK + 0x800n;
    // the IRET frame: rip, cs, rflags, rsp, ss at CFA = sp + 8
    memory.u64(sp + 8n, F.end + 2n);
    memory.u64(sp + 16n, 0x10n);
    memory.u64(sp + 24n, 0x246n);
    memory.u64(sp + 32n, TASK + 0x900n);
    memory.u64(sp + 40n, 0x18n);
    const { frames, stop } = await unwind(
      { read: memory.read, orc, symbolize, stackOf },
      { kind: "registers", registers: { rip: F.a + 3n, rsp: sp } },
    );
    assert.equal(stop.kind, "end-of-stack");
    const regs = frames[0]?.regs;
    assert.equal(regs?.full, false);
    assert.equal(regs?.address, sp + 8n - 128n);
    assert.deepEqual(regs?.values, {
      rip: F.end + 2n,
      cs: 0x10n,
      rflags: 0x246n,
      rsp: TASK + 0x900n,
      ss: 0x18n,
    });
  });
});
