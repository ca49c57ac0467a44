import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PT_REGS_MEMBERS } from "./pt-regs.js";
import { stackClassifier } from "./stacks.js";
import { FakeMemory } from "./test-support.js";
import type { PtRegName, UnwindContext } from "./types.js";
import { unwind } from "./unwind.js";

const TEXT = 0xffffffff81000000n;
const TASK = 0xffffc90000010000n;
const TASK_END = TASK + 0x4000n;
const isText = (a: bigint) => a >= TEXT && a < TEXT + 0x100000n;
const stackOf = stackClassifier([{ kind: "task", start: TASK, end: TASK_END }]);

function writeRegs(memory: FakeMemory, at: bigint, values: Partial<Record<PtRegName, bigint>>) {
  PT_REGS_MEMBERS.forEach((name, i) => {
    memory.u64(at + BigInt(i * 8), values[name] ?? 0n);
  });
}

/** a frame: [bp] = caller's bp, [bp+8] = return address */
function frame(memory: FakeMemory, bp: bigint, callerBp: bigint, ret: bigint) {
  memory.u64(bp, callerBp);
  memory.u64(bp + 8n, ret);
}

describe("frame-pointer unwinder (no ORC)", () => {
  it("follows rbp, crosses an encoded pt_regs (rbp = &regs | 1), and ends at user pt_regs atop the stack", async () => {
    const memory = new FakeMemory();
    memory.map(TASK, 0x4000);
    const ctx: UnwindContext = { read: memory.read, isText, stackOf };
    const S = TASK + 0x3000n;
    // inactive_task_frame: bp at 40, ret_addr at 48
    const bp1 = TASK + 0x3100n;
    memory.u64(S + 40n, bp1);
    memory.u64(S + 48n, TEXT + 0x1010n);
    const regsAt = TASK + 0x3200n;
    frame(memory, bp1, regsAt + 1n, TEXT + 0x2020n); // entry code marked its pt_regs
    const bp2 = TASK + 0x3400n;
    writeRegs(memory, regsAt, { rip: TEXT + 0x3030n, rsp: TASK + 0x3300n, rbp: bp2, cs: 0x10n });
    const bp3 = TASK_END - 168n - 16n;
    frame(memory, bp2, bp3, TEXT + 0x4040n);
    frame(memory, bp3, 0n, TEXT + 0x5050n); // do_syscall_64's frame: entry cleared rbp
    writeRegs(memory, TASK_END - 168n, { rip: 0x401000n, rsp: 0x7ffd0000n, cs: 0x33n });

    const { frames, stop, method } = await unwind(ctx, {
      kind: "inactive",
      sp: S,
      layout: { bp: 40, ret_addr: 48 },
    });
    assert.equal(method, "frame-pointer");
    assert.equal(stop.kind, "user-mode");
    assert.deepEqual(
      frames.map((f) => [f.sp, f.ip]),
      [
        [S + 48n, TEXT + 0x1010n],
        [bp1 + 8n, TEXT + 0x2020n],
        [bp2 + 8n, TEXT + 0x4040n],
        [bp3 + 8n, TEXT + 0x5050n],
      ],
    );
    assert.equal(frames[1]?.regs?.address, regsAt);
    assert.equal(frames[1]?.regs?.values.rip, TEXT + 0x3030n);
    assert.equal(frames[3]?.regs?.values.cs, 0x33n);
  });

  it("a cycle in the rbp chain stops with a reason instead of looping", async () => {
    const memory = new FakeMemory();
    memory.map(TASK, 0x4000);
    const a = TASK + 0x100n;
    const b = TASK + 0x200n;
    frame(memory, a, b, TEXT + 0x10n);
    frame(memory, b, a, TEXT + 0x20n);
    const { frames, stop } = await unwind(
      { read: memory.read, isText, stackOf },
      { kind: "registers", registers: { rip: TEXT, rsp: TASK + 0x80n, rbp: a } },
      { scanOnFailure: false },
    );
    assert.equal(stop.kind, "sp-not-increasing");
    assert.equal(frames.length, 3);
  });

  it("a zero rbp mid-stack is the end; an rbp pointing off the stack is refused", async () => {
    const memory = new FakeMemory();
    memory.map(TASK, 0x4000);
    const ctx = { read: memory.read, isText, stackOf };
    const ended = await unwind(ctx, {
      kind: "registers",
      registers: { rip: TEXT, rsp: TASK + 0x80n, rbp: 0n },
    });
    assert.equal(ended.stop.kind, "end-of-stack");
    const off = await unwind(
      ctx,
      { kind: "registers", registers: { rip: TEXT, rsp: TASK + 0x80n, rbp: 0xffff888000001000n } },
      { scanOnFailure: false },
    );
    assert.notEqual(off.stop.kind, "end-of-stack");
    assert.equal(off.frames.length, 1);
  });
});
