/**
 * @module dump/kdump-facts
 * The kdump-compressed headers as `crashlens info` facts: one row per header field, with its
 * JSON key, its text label and its typed value.
 */
import { compressionNames } from "./decompress/index.js";
import { hex } from "./paged-memory.js";
import {
  type DiskDumpHeader,
  DUMP_DH_COMPRESSED_INCOMPLETE,
  DUMP_DH_EXCLUDED_VMEMMAP,
  type KdumpSubHeader,
} from "./structs/kdump.js";
import type { Fact } from "./types.js";
import { unixTime } from "./unix-time.js";

export interface KdumpFactsInput {
  readonly header: ReturnType<typeof DiskDumpHeader.get>;
  readonly sub: ReturnType<typeof KdumpSubHeader.get> | undefined;
  readonly maxMapnr: bigint;
  /** RAM pages and pages written, when `countPages()` ran */
  readonly counts: { ram: number; written: number } | undefined;
  /** this file's pfn range when it is one part of a split dump */
  readonly split: { startPfn: bigint; endPfn: bigint } | undefined;
  readonly path: string;
}

/** status bits besides the compression, by the words the text uses */
const statusFlags = [
  { flag: DUMP_DH_COMPRESSED_INCOMPLETE, key: "incomplete", word: "incomplete" },
  { flag: DUMP_DH_EXCLUDED_VMEMMAP, key: "excludedVmemmap", word: "excluded vmemmap" },
] as const;

function status(value: number): Fact {
  const compression = compressionNames(value);
  const flags = statusFlags.filter((f) => (value & f.flag) !== 0);
  const words = [...compression, ...flags.map((f) => f.word)];
  return {
    key: "status",
    label: "status",
    value: {
      value: hex(value),
      compression: compression.join("+") || "none",
      ...Object.fromEntries(statusFlags.map((f) => [f.key, (value & f.flag) !== 0])),
    },
    text: `${hex(value)} (${words.join(", ") || "none"})`,
  };
}

export function kdumpFacts(k: KdumpFactsInput): Fact[] {
  const h = k.header;
  const utsname = [h.sysname, h.nodename, h.release, h.version, h.machine]
    .filter((s) => s !== "")
    .join(" ");
  const timestamp = h.timestampSec > 0n ? unixTime(h.timestampSec)?.toISOString() : undefined;
  const c = k.counts;
  const facts: Fact[] = [
    { key: "version", label: "header version", value: h.headerVersion },
    { key: "utsname", label: "utsname", value: utsname, text: utsname || "(empty)" },
    { key: "timestamp", label: "timestamp", value: timestamp, text: timestamp ?? "(none)" },
    status(h.status),
    { key: "blockSize", label: "block size", value: h.blockSize },
    {
      key: "maxMapnr",
      label: "max_mapnr",
      value: Number(k.maxMapnr),
      text: `${hex(k.maxMapnr)} (${(k.maxMapnr * BigInt(h.blockSize)) / 1048576n} MiB)`,
    },
    { key: "bitmapBlocks", label: "bitmap blocks", value: h.bitmapBlocks },
    {
      key: "pages",
      label: "pages",
      value: c === undefined ? undefined : { dumped: c.written, ram: c.ram },
      text:
        c === undefined
          ? "not counted"
          : `${c.written} in the dump of ${c.ram} RAM pages (${c.ram - c.written} filtered out)`,
    },
    { key: "nrCpus", label: "header nr_cpus", value: h.nrCpus },
    { key: "currentCpu", label: "header current_cpu", value: h.currentCpu },
  ];
  if (k.sub !== undefined) {
    facts.push(
      { key: "dumpLevel", label: "dump level", value: k.sub.dumpLevel },
      { key: "physBase", label: "sub-header phys_base", value: hex(k.sub.physBase) },
    );
  }
  if (k.split !== undefined) facts.push(splitFact([{ path: k.path, ...k.split }]));
  return facts;
}

/** the pfn range of each part of a split dump (makedumpfile --split) */
export function splitFact(
  parts: readonly { path: string; startPfn: bigint; endPfn: bigint }[],
  withPaths = false,
): Fact {
  return {
    key: "split",
    label: "split",
    value: parts.map((p) => ({
      file: p.path,
      startPfn: Number(p.startPfn),
      endPfn: Number(p.endPfn),
    })),
    text: parts
      .map((p) => `${withPaths ? `${p.path}: ` : ""}pfn ${hex(p.startPfn)}-${hex(p.endPfn)}`)
      .join("; "),
  };
}
