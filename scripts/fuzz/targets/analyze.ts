/**
 * Target over the front door: `analyzeFile` on a temp file holding a mutated real dump (any
 * format) or a mutated log, so detection, the file reader (pread, readInto), the dump and
 * kernel layers and the text parser run as the CLI runs them.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { analyzeFile } from "../../../src/analyze.js";
import { type BinarySeed, dumpSeeds } from "../corpus.js";
import { childFilesDir } from "../files.js";
import { applyByteOps, type ByteOp, byteOps } from "../mutate-bytes.js";
import { defineTarget } from "../target.js";
import { anyLog } from "./text.js";

const seeds = await dumpSeeds();
const all: BinarySeed[] = [...seeds.kdump, ...seeds.elf, ...seeds.flattened, ...seeds.split];
// the runner removes this folder after the child, even one it had to kill
const dir = childFilesDir(process.pid);
mkdirSync(dir, { recursive: true });
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

interface FileInput {
  name: string;
  ops: ByteOp[];
  bytes: () => Uint8Array | string;
}

const input: fc.Arbitrary<FileInput> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ seed: fc.nat({ max: all.length - 1 }), ops: byteOps(true, 5) })
      .map(({ seed, ops }): FileInput => {
        const s = all[seed] as BinarySeed;
        return { name: s.name, ops, bytes: () => applyByteOps(s.bytes, ops, s.slots) };
      }),
  },
  {
    weight: 1,
    arbitrary: anyLog.map((log): FileInput => ({ name: "log", ops: [], bytes: () => log })),
  },
);

export const analyzeTargets = [
  defineTarget({
    name: "analyze-file",
    about: "analyzeFile on a temp file: a mutated dump of any format, or a mutated log",
    arbitrary: input,
    smokeRuns: 60,
    async run(i) {
      const path = join(dir, `input-${serial++}`);
      writeFileSync(path, i.bytes());
      try {
        await analyzeFile(path);
      } finally {
        rmSync(path, { force: true });
      }
    },
    materialize: (i) => i.bytes(),
  }),
];
