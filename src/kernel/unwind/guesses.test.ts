import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withGuesses } from "./guesses.js";
import { PT_REGS_MEMBERS } from "./pt-regs.js";
import { stackClassifier } from "./stacks.js";
import { call, endOfStack, FakeMemory, fakeVmlinuxOrc, regsAt, TEXT } from "./test-support.js";
import { unwind } from "./unwind.js";

const TASK = 0xffffc90000010000n;
const END = TASK + 0x1000n;

describe("withGuesses (the kernel's trace shape)", () => {
  it("puts every other text word of the stack in slot order as `?`, skipping saved registers", async () => {
    const memory = new FakeMemory();
    memory.map(TASK, 0x1000);
    const orc = fakeVmlinuxOrc(memory, [
      { ip: TEXT, entry: call(24) }, // frames with two spare words below the return address
      { ip: TEXT + 0x100n, entry: regsAt(0) },
      { ip: TEXT + 0x200n, entry: endOfStack },
    ]);
    const ctx = {
      read: memory.read,
      orc,
      stackOf: stackClassifier([{ kind: "task", start: TASK, end: END }]),
    };
    const sp = TASK + 0x800n;
    memory.u64(sp, TEXT + 0x40n); // stale: a guess
    memory.u64(sp + 8n, 0x1234n); // data
    memory.u64(sp + 16n, TEXT + 0x110n); // return into the entry code
    const regs = sp + 24n;
    for (let i = 0; i < PT_REGS_MEMBERS.length; i++) memory.u64(regs + BigInt(i * 8), TEXT + 0x50n); // text-looking registers: not guesses
    memory.u64(regs + 128n, TEXT + 0x20n); // rip
    memory.u64(regs + 136n, 0x10n); // cs
    const rsp = regs + 168n + 32n;
    memory.u64(regs + 152n, rsp); // rsp
    memory.u64(regs + 168n, TEXT + 0x60n); // between the registers and rsp: a guess
    memory.u64(rsp + 16n, TEXT + 0x210n); // the next return address (call(24))
    memory.u64(END - 8n, TEXT + 0x70n); // at the very top: a guess too

    const { frames, stop } = await unwind(ctx, {
      kind: "registers",
      registers: { rip: TEXT + 0x10n, rsp: sp },
    });
    assert.equal(stop.kind, "end-of-stack");
    assert.equal(frames.length, 3);
    const guessed = await withGuesses(ctx, frames);
    assert.deepEqual(
      guessed.map((f) => [f.index, f.sp, f.ip, f.reliable]),
      [
        [0, sp, TEXT + 0x10n, true],
        [1, sp, TEXT + 0x40n, false],
        [2, sp + 16n, TEXT + 0x110n, true],
        [3, regs + 168n, TEXT + 0x60n, false],
        [4, rsp + 16n, TEXT + 0x210n, true],
        [5, END - 8n, TEXT + 0x70n, false],
      ],
    );
    // the regs stay on their frame
    assert.equal(guessed[2]?.regs?.address, regs);
    const withCalls = await withGuesses(ctx, frames, { requireCall: true });
    assert.equal(withCalls.length, 3); // no call instruction precedes any planted word
  });
});
