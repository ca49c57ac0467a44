/**
 * Garbage in, a bounded answer out: on random stacks and random ORC tables, the unwinder
 * neither throws nor loops, and what it returns obeys its own rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { withGuesses } from "./guesses.js";
import { ORC_LAYOUTS } from "./orc-layouts.js";
import { stackClassifier } from "./stacks.js";
import { FakeMemory, fakeVmlinuxOrc, TEXT } from "./test-support.js";
import type { OrcEntry, OrcRegister, OrcType, StopKind, UnwindStart } from "./types.js";
import { unwind } from "./unwind.js";

const STACK = 0xffffc90000010000n;
const STACK_SIZE = 0x1000;
const IRQ = 0xffffc90000100000n;

const word = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: TEXT, max: TEXT + 0x2000n }),
  fc.bigInt({ min: STACK - 0x100n, max: STACK + BigInt(STACK_SIZE) + 0x100n }),
  fc.bigInt({ min: IRQ, max: IRQ + 0x1000n }),
  fc.constantFrom(0n, 1n, 0x33n, 0x10n),
);

const registers = ORC_LAYOUTS[3].registers as OrcRegister[];
const types: OrcType[] = ["undefined", "end-of-stack", "call", "regs", "regs-partial"];
const entry: fc.Arbitrary<OrcEntry> = fc.record({
  spOffset: fc.integer({ min: -64, max: 256 }),
  bpOffset: fc.integer({ min: -64, max: 64 }),
  spReg: fc.constantFrom(...registers),
  bpReg: fc.constantFrom(...registers),
  type: fc.constantFrom(...types),
  signal: fc.boolean(),
});

const KNOWN_STOPS: StopKind[] = [
  "end-of-stack",
  "user-mode",
  "frame-limit",
  "no-unwind-info",
  "not-text",
  "unreadable",
  "register-unknown",
  "bad-orc",
  "sp-not-increasing",
  "sp-off-stack",
  "stack-revisited",
  "zero-ip",
  "bad-start",
];

describe("unwind on random memory and random ORC tables (property)", () => {
  it("always returns: bounded frames, a known stop reason, sp growing within each stack", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { minLength: STACK_SIZE / 8, maxLength: STACK_SIZE / 8 }),
        fc.array(word, { minLength: 64, maxLength: 64 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0x1fff }), entry), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.constantFrom(1, 2, 3, 4),
        fc.boolean(),
        fc.integer({ min: 0, max: STACK_SIZE - 8 }),
        word,
        word,
        fc.integer({ min: 2, max: 40 }),
        fc.boolean(),
        async (
          stackWords,
          irqWords,
          rows,
          version,
          inactive,
          spOffset,
          rip,
          rbp,
          maxFrames,
          useOrc,
        ) => {
          const memory = new FakeMemory();
          stackWords.forEach((w, i) => {
            memory.u64(STACK + BigInt(i * 8), w);
          });
          irqWords.forEach((w, i) => {
            memory.u64(IRQ + 0x1000n - 512n + BigInt(i * 8), w);
          });
          const sorted = rows
            .map(([offset, e]) => ({ ip: TEXT + BigInt(offset), entry: e }))
            .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
          const orc = fakeVmlinuxOrc(memory, sorted, version as 1 | 2 | 3 | 4);
          const stackOf = stackClassifier([
            { kind: "task", start: STACK, end: STACK + BigInt(STACK_SIZE) },
            { kind: "irq", start: IRQ, end: IRQ + 0x1000n },
          ]);
          const sp = STACK + BigInt(spOffset);
          const start: UnwindStart = inactive
            ? { kind: "inactive", sp, layout: { bp: 40, ret_addr: 48, size: 56 } }
            : { kind: "registers", registers: { rip, rsp: sp, rbp, rax: rip, rdi: rbp } };
          // without tables the rbp chain is followed instead
          const ctx = useOrc
            ? { read: memory.read, orc, stackOf, maxFrames }
            : {
                read: memory.read,
                stackOf,
                maxFrames,
                isText: (a: bigint) => a >> 13n === TEXT >> 13n,
              };
          const result = await unwind(ctx, start);
          assert.equal(result.method, useOrc ? "orc" : "frame-pointer");
          assert.ok(KNOWN_STOPS.includes(result.stop.kind), result.stop.kind);
          assert.ok(result.frames.length <= maxFrames, `${result.frames.length} > ${maxFrames}`);
          result.frames.forEach((f, i) => {
            assert.equal(f.index, i);
          });
          // reliable return slots never go down while on one stack
          const reliable = result.frames.filter((f) => f.reliable && f.kind === "return");
          for (let i = 1; i < reliable.length; i++) {
            const [a, b] = [reliable[i - 1], reliable[i]];
            if (a && b && a.stack === b.stack && a.stack !== undefined)
              assert.ok(b.sp > a.sp, `slot ${b.sp.toString(16)} after ${a.sp.toString(16)}`);
          }
          // the kernel-style trace keeps every frame, in order, and adds only guesses
          const guessed = await withGuesses(ctx, result.frames);
          assert.deepEqual(
            guessed.filter((f) => f.kind !== "scanned").map((f) => [f.sp, f.ip]),
            result.frames.filter((f) => f.kind !== "scanned").map((f) => [f.sp, f.ip]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
