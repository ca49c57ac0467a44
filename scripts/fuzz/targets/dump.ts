/**
 * Targets over src/dump: ELF cores, kdump-compressed files, flattened streams and split
 * parts, each a real dump (testdata/dumps, or rebuilt from its pages) with mutations that
 * favour header fields. The readers are called directly, not through `openDumpFrom`, whose
 * safety net would turn a TypeError into bad-data and hide it. After opening, every reader
 * entry point the analysis uses is driven: pages, bitmaps, notes, facts, the kernel view.
 */
import fc from "fast-check";
import { detectDump } from "../../../src/dump/detect.js";
import { ElfDump } from "../../../src/dump/elf.js";
import { FlattenedRandomAccess } from "../../../src/dump/flattened.js";
import { KdumpCompressedDump } from "../../../src/dump/kdump-compressed.js";
import { BufferRandomAccess, type RandomAccess } from "../../../src/dump/random-access.js";
import { SplitDump } from "../../../src/dump/split.js";
import type { Dump } from "../../../src/dump/types.js";
import { CrashlensError } from "../../../src/errors.js";
import { openKernel } from "../../../src/kernel/index.js";
import { type BinarySeed, dumpSeeds } from "../corpus.js";
import { applyByteOps, type ByteOp, byteOps } from "../mutate-bytes.js";
import { defineTarget } from "../target.js";

const seeds = await dumpSeeds();

/** pages read back after opening; enough to reach the log, not the whole dump */
const PAGES_READ = 48;

/** Everything `analyze`, `info` and `dmesg` ask of a dump. */
export async function exercise(dump: Dump): Promise<void> {
  try {
    dump.ranges();
    dump.hints();
    dump.facts();
    dump.storedPageCount?.();
    await dump.countPages?.();
    let read = 0;
    for await (const pfn of dump.storedPages()) {
      await dump.hasPage(pfn * BigInt(dump.pageSize));
      await dump.readPhysical(pfn * BigInt(dump.pageSize), dump.pageSize);
      if (++read >= PAGES_READ) break;
    }
    await dump.hasPage(2n ** 63n);
    const kernel = await openKernel(dump);
    await kernel.readLog();
    await kernel.loadSymbols();
  } finally {
    await dump.close();
  }
}

/** The inner file of a flattened stream opened as `openDumpFrom` does, minus its error wrapper. */
async function openFlattenedDirect(source: RandomAccess): Promise<Dump> {
  const flat = await FlattenedRandomAccess.open(source);
  const inner = detectDump(await flat.read(0, Math.min(flat.size, 8)));
  if (inner?.format === "kdump-compressed")
    return KdumpCompressedDump.open(flat, "fuzz", "flattened stream");
  if (inner?.format === "elf") return ElfDump.open(flat, "fuzz", "flattened stream");
  throw new CrashlensError("bad-data", "the flattened stream does not hold a KDUMP or ELF file");
}

interface Mutant {
  seed: number;
  ops: ByteOp[];
}

const mutant = (count: number) =>
  fc.record({ seed: fc.nat({ max: count - 1 }), ops: byteOps(true, 5) });

function mutate(list: readonly BinarySeed[], m: Mutant): Uint8Array {
  const seed = list[m.seed % list.length] as BinarySeed;
  return applyByteOps(seed.bytes, m.ops, seed.slots);
}

export const dumpTargets = [
  defineTarget({
    name: "dump-kdump",
    about: "KdumpCompressedDump.open + pages, bitmaps, notes, kernel view (6 real kdump files)",
    arbitrary: mutant(seeds.kdump.length),
    smokeRuns: 60,
    async run(m) {
      await exercise(
        await KdumpCompressedDump.open(new BufferRandomAccess(mutate(seeds.kdump, m)), "fuzz"),
      );
    },
    materialize: (m) => mutate(seeds.kdump, m),
  }),
  defineTarget({
    name: "dump-elf",
    about: "ElfDump.open + reads (an ELF core rebuilt from the real nullread pages)",
    arbitrary: mutant(seeds.elf.length),
    smokeRuns: 60,
    async run(m) {
      await exercise(await ElfDump.open(new BufferRandomAccess(mutate(seeds.elf, m)), "fuzz"));
    },
    materialize: (m) => mutate(seeds.elf, m),
  }),
  defineTarget({
    name: "dump-flattened",
    about: "FlattenedRandomAccess + the inner kdump or ELF reader (makedumpfile -F streams)",
    arbitrary: mutant(seeds.flattened.length),
    smokeRuns: 60,
    async run(m) {
      await exercise(await openFlattenedDirect(new BufferRandomAccess(mutate(seeds.flattened, m))));
    },
    materialize: (m) => mutate(seeds.flattened, m),
  }),
  defineTarget({
    name: "dump-split",
    about: "SplitDump over two kdump --split parts, either or both mutated",
    arbitrary: fc.record({
      first: byteOps(true, 4),
      second: byteOps(true, 4),
      order: fc.boolean(),
    }),
    smokeRuns: 40,
    async run({ first, second, order }) {
      const [a, b] = seeds.split;
      const parts: KdumpCompressedDump[] = [];
      try {
        parts.push(
          await KdumpCompressedDump.open(
            new BufferRandomAccess(applyByteOps(a.bytes, first, a.slots)),
            "part1",
          ),
        );
        parts.push(
          await KdumpCompressedDump.open(
            new BufferRandomAccess(applyByteOps(b.bytes, second, b.slots)),
            "part2",
          ),
        );
      } catch (error) {
        for (const p of parts) await p.close();
        throw error;
      }
      await exercise(new SplitDump(order ? parts : parts.reverse()));
    },
    materialize: ({ first }) => applyByteOps(seeds.split[0].bytes, first, seeds.split[0].slots),
  }),
];
