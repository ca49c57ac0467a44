/**
 * The real artifacts the fuzzer mutates: the committed oops logs (testdata/oops), the minimal
 * kdump-compressed dumps made from real lab vmcores (testdata/dumps), and, built from those
 * same pages at start-up, an ELF core, flattened streams and the two parts of a split dump.
 * Each binary seed comes with the header fields its reader trusts (`FieldSlot`s).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { extractPages } from "../../src/dump/extract.js";
import { BufferRandomAccess, openDumpFrom } from "../../src/dump/index.js";
import type { Dump } from "../../src/dump/types.js";
import { writeFlattened } from "../../src/dump/writers/flattened-writer.js";
import { writeKdump } from "../../src/dump/writers/kdump-writer.js";
import type { FieldSlot } from "./mutate-bytes.js";
import { type DumpLayout, elfSlots, flattenedSlots, kdumpSlots } from "./slots.js";

const testdata = fileURLToPath(new URL("../../testdata/", import.meta.url));

export interface BinarySeed {
  name: string;
  bytes: Uint8Array;
  slots: FieldSlot[];
}

export interface TextSeed {
  name: string;
  text: string;
}

let texts: TextSeed[] | undefined;

/** Oops logs (with their fixture header lines, more text to survive) and the dumps' logs. */
export function textSeeds(): TextSeed[] {
  if (texts !== undefined) return texts;
  const dir = join(testdata, "oops", "x86_64");
  texts = readdirSync(dir)
    .filter((name) => name.endsWith(".txt"))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));
  for (const name of ["nullread.dmesg.txt", "nullread.vmcore-dmesg.txt", "oom.vmcore-dmesg.txt"])
    texts.push({ name, text: readFileSync(join(testdata, "dumps", name), "utf8") });
  return texts;
}

export function vmcoreinfoSeed(): string {
  return readFileSync(join(testdata, "dumps", "nullread.vmcoreinfo.txt"), "utf8");
}

const kdumpNames = [
  "nullread-dmesg.kdump-zlib",
  "nullread-dmesg.kdump-lzo",
  "nullread-dmesg.kdump-snappy",
  "nullread-dmesg.kdump-zstd",
  "nullread-novmcoreinfo.kdump-zlib",
  "oom-dmesg.kdump-zlib",
];

export function kdumpBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(testdata, "dumps", name)));
}

async function storedPfns(dump: Dump): Promise<bigint[]> {
  const pfns: bigint[] = [];
  for await (const pfn of dump.storedPages()) pfns.push(pfn);
  return pfns;
}

export interface DumpSeeds {
  kdump: BinarySeed[];
  elf: BinarySeed[];
  flattened: BinarySeed[];
  /** the two parts of one split dump */
  split: [BinarySeed, BinarySeed];
}

let dumps: Promise<DumpSeeds> | undefined;

/** Every binary seed, built once per thread (ELF, flattened and split from the real pages). */
export function dumpSeeds(): Promise<DumpSeeds> {
  dumps ??= buildDumpSeeds();
  return dumps;
}

async function buildDumpSeeds(): Promise<DumpSeeds> {
  const kdump = kdumpNames.map((name) => {
    const bytes = kdumpBytes(name);
    return { name, bytes, slots: kdumpSlots(bytes) };
  });
  const source = kdump[0] as BinarySeed;
  const dump = await openDumpFrom(new BufferRandomAccess(source.bytes), source.name);
  const pfns = await storedPfns(dump);
  const elfBytes = await extractPages(dump, pfns, { format: "elf" });
  const elf = [{ name: "nullread-dmesg.elf", bytes: elfBytes, slots: elfSlots(elfBytes) }];
  const flat = (name: string, bytes: Uint8Array, inner: DumpLayout): BinarySeed => {
    const stream = writeFlattened(bytes, { recordSize: 8192, rewriteHead: 512 });
    return { name, bytes: stream, slots: flattenedSlots(stream, inner) };
  };
  const flattened = [
    flat("nullread-dmesg.kdump-flat", source.bytes, "kdump"),
    flat("nullread-dmesg.elf-flat", elfBytes, "elf"),
  ];
  const pages = new Map<bigint, Uint8Array>();
  for (const pfn of pfns) pages.set(pfn, await dump.readPhysical(pfn * 4096n, 4096));
  const last = pfns[pfns.length - 1] ?? 0n;
  const middle = pfns[pfns.length >> 1] ?? 0n;
  const part = async (start: bigint, end: bigint, name: string): Promise<BinarySeed> => {
    const spec: Parameters<typeof writeKdump>[0] = {
      maxMapnr: last + 1n,
      pages,
      compression: "zlib",
      notes: dump.notes,
      split: { start, end },
    };
    if (dump.vmcoreinfo !== undefined) spec.vmcoreinfo = dump.vmcoreinfo;
    const bytes = await writeKdump(spec);
    return { name, bytes, slots: kdumpSlots(bytes) };
  };
  const split: [BinarySeed, BinarySeed] = [
    await part(0n, middle, "nullread-split.1"),
    await part(middle, last + 1n, "nullread-split.2"),
  ];
  await dump.close();
  return { kdump, elf, flattened, split };
}
