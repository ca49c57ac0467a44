/**
 * Garbage in, a bounded answer out, on arm64: on random stacks (frame records, pt_regs,
 * PAC-signed words) the frame-record walker neither throws nor loops, and what it returns
 * obeys its rules: bounded, indexed in order, reliable records climbing within each stack.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ARM64_PT_REGS_DEFAULT } from "./arm64-regs.js";
import { stackClassifier } from "./stacks.js";
import { FakeMemory } from "./test-support.js";
import type { StopKind, UnwindStart } from "./types.js";
import { unwind } from "./unwind.js";

const TEXT = 0xffff800008010000n;
const STACK = 0xffff800008200000n;
const STACK_SIZE = 0x1000;
const IRQ = 0xffff800008000000n;
const PAC = 0xffff000000000000n;
const NAMES = ["el1h_64_sync", "el0t_64_sync", "el1h_64_irq", "schedule", "kthread", "f"];

const word = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: TEXT, max: TEXT + 0x2000n }),
  // PAC-signed text: random bits above bit 55's kernel marker
  fc.bigInt({ min: 0n, max: 0xffn }).map((pac) => (TEXT & ~PAC) | (pac << 56n) | (1n << 55n)),
  fc.bigInt({ min: STACK - 0x100n, max: STACK + BigInt(STACK_SIZE) + 0x100n }),
  fc.bigInt({ min: IRQ, max: IRQ + 0x1000n }),
  fc.constantFrom(0n, 1n, 0x10n, 0x60400005n, 0x20001000n),
);

const KNOWN_STOPS: StopKind[] = [
  "end-of-stack",
  "user-mode",
  "frame-limit",
  "not-text",
  "unreadable",
  "sp-not-increasing",
  "sp-off-stack",
  "stack-revisited",
  "zero-ip",
  "bad-start",
  "bad-frame-record",
];

describe("arm64 unwind on random memory (property)", () => {
  it("always returns: bounded frames, a known stop reason, records climbing within each stack", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { minLength: STACK_SIZE / 8, maxLength: STACK_SIZE / 8 }),
        fc.array(word, { minLength: 64, maxLength: 64 }),
        fc.boolean(),
        fc.integer({ min: 0, max: STACK_SIZE / 8 - 1 }),
        word,
        word,
        word,
        fc.integer({ min: 2, max: 40 }),
        async (stackWords, irqWords, switchedOut, slot, pc, fp, pstate, maxFrames) => {
          const memory = new FakeMemory();
          stackWords.forEach((w, i) => {
            memory.u64(STACK + BigInt(i * 8), w);
          });
          irqWords.forEach((w, i) => {
            memory.u64(IRQ + 0x1000n - 512n + BigInt(i * 8), w);
          });
          const stackOf = stackClassifier([
            { kind: "task", start: STACK, end: STACK + BigInt(STACK_SIZE) },
            { kind: "irq", start: IRQ, end: IRQ + 0x1000n },
          ]);
          const sp = STACK + BigInt(slot * 8);
          const start: UnwindStart = switchedOut
            ? { kind: "cpu-context", pc, sp, fp }
            : { kind: "registers", registers: { pc, sp, x29: fp, x30: pc, pstate } };
          const result = await unwind(
            {
              read: memory.read,
              stackOf,
              maxFrames,
              // every 0x100-byte block of text is a function; some are exception entries
              symbolize: (a) =>
                a >> 13n === TEXT >> 13n
                  ? { name: NAMES[Number((a >> 8n) % BigInt(NAMES.length))] as string, offset: 0 }
                  : undefined,
              isText: (a) => a >> 13n === TEXT >> 13n,
              arch: "arm64",
              arm64: {
                pacMask: PAC,
                ptRegs: ARM64_PT_REGS_DEFAULT,
                threadSize: BigInt(STACK_SIZE),
              },
            },
            start,
          );
          assert.equal(result.method, "frame-record");
          assert.ok(KNOWN_STOPS.includes(result.stop.kind), result.stop.kind);
          assert.ok(result.frames.length <= maxFrames, `${result.frames.length} > ${maxFrames}`);
          result.frames.forEach((f, i) => {
            assert.equal(f.index, i);
          });
          const reliable = result.frames.filter((f) => f.reliable && f.kind === "return");
          for (let i = 1; i < reliable.length; i++) {
            const [a, b] = [reliable[i - 1], reliable[i]];
            if (a && b && a.stack === b.stack && a.stack !== undefined)
              assert.ok(b.sp > a.sp, `record ${b.sp.toString(16)} after ${a.sp.toString(16)}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
