/**
 * @module dump
 * Opening a dump file of any supported format as physical memory plus notes.
 */
import { CrashlensError } from "../errors.js";
import { DETECT_HEAD_BYTES, detectDump } from "./detect.js";
import { ElfDump } from "./elf.js";
import { FlattenedRandomAccess } from "./flattened.js";
import { KdumpCompressedDump } from "./kdump-compressed.js";
import { FileRandomAccess, type RandomAccess } from "./random-access.js";
import { SplitDump } from "./split.js";
import type { Dump } from "./types.js";

export type { Detected } from "./detect.js";
export { detectDump } from "./detect.js";
export { ElfDump } from "./elf.js";
export { KdumpCompressedDump } from "./kdump-compressed.js";
export { BufferRandomAccess, FileRandomAccess, type RandomAccess } from "./random-access.js";
export type { Dump, DumpFormat, DumpHints, ElfNote, PhysicalRange } from "./types.js";

export { DETECT_HEAD_BYTES };

export interface OpenOptions {
  /** progress while indexing a flattened stream */
  onProgress?: (done: number, total: number) => void;
}

export async function openDump(path: string, options: OpenOptions = {}): Promise<Dump> {
  const file = await FileRandomAccess.open(path);
  try {
    return await openDumpFrom(file, path, options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

/**
 * Opens the parts of a `makedumpfile --split` dump as one dump (one path opens as usual).
 */
export async function openDumps(
  paths: readonly string[],
  options: OpenOptions = {},
): Promise<Dump> {
  if (paths.length === 1) return openDump(paths[0] as string, options);
  const parts: Dump[] = [];
  try {
    for (const path of paths) parts.push(await openDump(path, options));
    const kdump = parts.filter((p): p is KdumpCompressedDump => p instanceof KdumpCompressedDump);
    if (kdump.length !== parts.length) {
      throw new CrashlensError(
        "usage",
        "several files make one dump only as the parts of a split kdump-compressed dump",
      );
    }
    return new SplitDump(kdump);
  } catch (error) {
    for (const part of parts) await part.close();
    throw error;
  }
}

/** Opens a dump from any random-access source (a file, bytes in memory). */
export async function openDumpFrom(
  source: RandomAccess,
  path: string,
  options: OpenOptions = {},
): Promise<Dump> {
  if (source.size === 0)
    throw new CrashlensError("bad-data", `${path}: the file is empty`, { path });
  const head = await source.read(0, Math.min(source.size, DETECT_HEAD_BYTES));
  const detected = detectDump(head);
  if (detected === undefined) {
    throw new CrashlensError(
      "bad-data",
      `${path}: not a vmcore (no ELF, KDUMP or flattened makedumpfile signature)`,
      { path },
    );
  }
  try {
    switch (detected.format) {
      case "elf":
        return await ElfDump.open(source, path);
      case "kdump-compressed":
        return await KdumpCompressedDump.open(source, path);
      case "flattened":
        return await openFlattened(source, path, options);
    }
  } catch (error) {
    throw asDumpError(error, path);
  }
}

async function openFlattened(
  source: RandomAccess,
  path: string,
  options: OpenOptions,
): Promise<Dump> {
  const flat = await FlattenedRandomAccess.open(source, options.onProgress);
  const head = await flat.read(0, Math.min(flat.size, 8));
  const inner = detectDump(head);
  let dump: ElfDump | KdumpCompressedDump;
  if (inner?.format === "kdump-compressed")
    dump = await KdumpCompressedDump.open(flat, path, "flattened stream");
  else if (inner?.format === "elf") dump = await ElfDump.open(flat, path, "flattened stream");
  else
    throw new CrashlensError(
      "bad-data",
      `${path}: the flattened stream does not hold a KDUMP or ELF file`,
      { path },
    );
  const warnings = dump.warnings as string[];
  warnings.unshift(...flat.warnings);
  return withFormat(dump, flat.records);
}

/** A flattened stream keeps the inner reader but reports its own format. */
function withFormat(dump: ElfDump | KdumpCompressedDump, records: number): Dump {
  const innerFacts = dump.facts.bind(dump);
  const inner = dump.format;
  Object.defineProperty(dump, "format", { value: "flattened" });
  Object.defineProperty(dump, "flavour", { value: inner });
  dump.facts = () => [
    { key: "flattenedRecords", label: "flattened records", value: records },
    ...innerFacts(),
  ];
  return dump;
}

/** Any non-CrashlensError thrown while parsing becomes bad-data naming the file. */
function asDumpError(error: unknown, path: string): unknown {
  if (error instanceof CrashlensError) return error;
  return new CrashlensError(
    "bad-data",
    `${path}: cannot be read as a dump (${(error as Error)?.message ?? error})`,
    { path, cause: error },
  );
}
