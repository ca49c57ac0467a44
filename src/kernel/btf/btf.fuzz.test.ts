/**
 * Property: on any bytes — random, or a valid blob with bytes changed, cut short or with
 * lying header fields — `Btf.parse`, every accessor, the type speller and the value decoder
 * return or throw CrashlensError, never anything else, and never take long.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CrashlensError } from "../../errors.js";
import { Btf } from "./btf.js";
import { sampleBtf } from "./test-writer.js";
import { declaration, typeName } from "./type-name.js";
import { decodeValue } from "./value.js";

/** how long one input may take, all accessors included */
const BUDGET_MS = 2000;

function tolerate(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof CrashlensError)) throw error;
  }
}

/** Parses `bytes` and calls every accessor on (up to 300 of) its types. */
export function exerciseBtf(bytes: Uint8Array, memory: Uint8Array): void {
  let btf: Btf;
  try {
    btf = Btf.parse(bytes);
  } catch (error) {
    if (error instanceof CrashlensError) return;
    throw error;
  }
  const last = Math.min(btf.count, 300);
  for (let id = 0; id < last + 2; id++) {
    tolerate(() => {
      const type = btf.type(id);
      btf.resolve(id);
      btf.sizeof(id);
      typeName(btf, id);
      declaration(btf, id, "x");
      btf.find(type.name);
      btf.find(`struct ${type.name}`);
      btf.funcProto(type.name);
      for (const m of (type.members ?? []).slice(0, 8)) {
        btf.member(id, m.name);
        btf.memberPath(id, `${m.name || "a"}.b[1].c`);
        btf.offsetof(type.name, m.name);
      }
      btf.member(id, "nothing");
      decodeValue(btf, id, memory, { address: 0xffff888000000000n, maxElements: 64 });
    });
  }
  tolerate(() => [...btf.typeNames()]);
  tolerate(() => [...btf.typeNames(new Set(["struct", "union", "typedef"]))]);
  for (const offset of [0, 1, 7, 1 << 20, 0xffffffff]) tolerate(() => btf.string(offset));
  tolerate(() => btf.has(-1) || btf.has(btf.count));
  tolerate(() => btf.idsNamed(""));
}

const sample = sampleBtf().w.bytes();

/** a valid blob with edits: bytes overwritten, cut short, or u32 header fields replaced */
const mutated = fc
  .record({
    edits: fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0, max: 255 })), {
      maxLength: 12,
    }),
    header: fc.option(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.nat()), { nil: undefined }),
    cut: fc.option(fc.nat(sample.length), { nil: undefined }),
  })
  .map(({ edits, header, cut }) => {
    const bytes = sample.slice();
    for (const [at, value] of edits) bytes[at] = value;
    if (header !== undefined) new DataView(bytes.buffer).setUint32(header[0] * 4, header[1], true);
    return cut === undefined ? bytes : bytes.subarray(0, cut);
  });

/** random bytes behind a plausible header */
const random = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((body) => {
  const out = new Uint8Array(24 + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xeb9f, true);
  out[2] = 1;
  view.setUint32(4, 24, true);
  const split = Math.floor(body.length * 0.8);
  view.setUint32(12, split, true);
  view.setUint32(16, split, true);
  view.setUint32(20, body.length - split, true);
  out.set(body, 24);
  return out;
});

const memory = fc.uint8Array({ minLength: 0, maxLength: 512 });

describe("Btf fuzzing", () => {
  for (const [name, input] of [
    ["mutations of a valid blob", mutated],
    ["random type sections", random],
  ] as const) {
    it(`never throws anything but CrashlensError, nor hangs, on ${name}`, () => {
      fc.assert(
        fc.property(input, memory, (bytes, mem) => {
          const started = performance.now();
          exerciseBtf(bytes, mem);
          const took = performance.now() - started;
          assert.ok(took < BUDGET_MS, `one input took ${took.toFixed(0)} ms`);
        }),
        {
          seed: Number(process.env.BTF_FUZZ_SEED ?? 1729),
          numRuns: Number(process.env.BTF_FUZZ_RUNS ?? 1500),
        },
      );
    });
  }
});
