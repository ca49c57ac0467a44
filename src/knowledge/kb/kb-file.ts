/**
 * @module knowledge/kb/kb-file
 * The index on disk, as two files. The look-up (`*.lookup`, plain text, ~500 kB: read on every
 * query that names a function, so not unzipped each time; a gzip'd one is read too): a header
 * line (format, version, where it came from), a line of the modules and path words the
 * records touch, then one line per function name with the records that name it — searched
 * as text, never parsed whole, so a query that names nothing known costs one small unzip.
 * The records (`*.records.gz`): one JSON array per line (frames as `symbol` or
 * `symbol:module`, a branch as `introduced@commit>fixed@commit`), gzip'd in shards of
 * `shardRecords` lines, one gzip member each (the file is still one valid .gz); the header
 * gives each shard's byte length, so a query unzips only the shards of its candidates. Only data (ids, commits,
 * versions, function names, titles, subjects), never message text.
 */
import { createRequire } from "node:module";
import { CrashlensError } from "../../errors.js";
import { KINDS, type Kind } from "../../oops/report.js";
import type { FrameKey } from "../signature.js";
import type { BranchVersions, KbRecord, KbSource, QuotedReport } from "./record.js";

/** node:zlib, loaded when records are first read or written: a query with no candidate never needs it. */
function zlib(): typeof import("node:zlib") {
  return createRequire(import.meta.url)("node:zlib");
}

export const kbFormat = "crashlens-kb";
export const kbVersion = 3;
/** An index larger than this, unpacked, is refused (the full CVE history is ~4 MB). */
export const maxKbBytes = 256 << 20;

type PackedReport = [title: string, kind: string, frames: string];
type PackedRecord = [
  id: string,
  subject: string,
  branches: string,
  files: string[],
  reports: PackedReport[],
  functions: string[],
];

interface Header {
  format: string;
  version: number;
  source: KbSource;
  count: number;
  /** compressed bytes of each records shard, in order */
  shards: number[];
}

/** Records per shard of the records file: a query's few candidates unzip a few kB each. */
export const shardRecords = 64;

/** An index as written: the look-up and the records, each gzip'd. */
export interface EncodedKb {
  lookup: Buffer;
  records: Buffer;
}

/** An index read from disk: look-ups answered from the text, records parsed when asked for. */
export interface KbFile {
  source: KbSource;
  count: number;
  /** record numbers (0-based, ascending) of the records that name `symbol` */
  postings(symbol: string): readonly number[];
  /** a module named in a frame, or a folder or file name of an affected path */
  hasModule(name: string): boolean;
  record(index: number): KbRecord;
}

function packFrames(frames: readonly FrameKey[]): string {
  return frames.map((f) => (f.module ? `${f.symbol}:${f.module}` : f.symbol)).join(" ");
}

function unpackFrames(text: string): FrameKey[] {
  if (text === "") return [];
  return text.split(" ").map((f) => {
    const at = f.indexOf(":");
    return at < 0 ? { symbol: f } : { symbol: f.slice(0, at), module: f.slice(at + 1) };
  });
}

function packBranch(b: BranchVersions): string {
  const side = (version?: string, commit?: string) =>
    version === undefined ? "" : commit ? `${version}@${commit}` : version;
  return `${side(b.introduced, b.introducedCommit)}>${side(b.fixed, b.fixCommit)}`;
}

function unpackBranch(text: string): BranchVersions {
  const [intro = "", fix = ""] = text.split(">");
  const out: BranchVersions = {};
  if (intro) {
    const [version, commit] = intro.split("@");
    out.introduced = version as string;
    if (commit) out.introducedCommit = commit;
  }
  if (fix) {
    const [version, commit] = fix.split("@");
    out.fixed = version as string;
    if (commit) out.fixCommit = commit;
  }
  return out;
}

/** Names a record can be found by: its quoted frames and its subject's functions. */
export function namesOf(record: KbRecord): Set<string> {
  const names = new Set<string>(record.functions);
  for (const report of record.reports) for (const f of report.frames) names.add(f.symbol);
  return names;
}

/**
 * Writes an index. Records that can never match (no quoted report, no function in the
 * subject) are left out: nothing in a crash report could find them.
 */
export function encodeKb(source: KbSource, all: readonly KbRecord[]): EncodedKb {
  const records = all.filter((r) => r.reports.length > 0 || r.functions.length > 0);
  const functions = new Map<string, number[]>();
  const modules = new Set<string>();
  records.forEach((record, index) => {
    for (const name of namesOf(record)) {
      if (/\s/.test(name)) continue;
      const list = functions.get(name) ?? [];
      list.push(index);
      functions.set(name, list);
    }
    for (const report of record.reports)
      for (const f of report.frames) if (f.module) modules.add(f.module.replace(/-/g, "_"));
    // a module is usually named after its folder or its main file (nf_conncount.c, mt7921/)
    for (const file of record.files)
      for (const word of file.split(/[/.]/))
        if (word.length > 2) modules.add(word.replace(/-/g, "_"));
  });
  const lines = records.map((r) => {
    const packed: PackedRecord = [
      r.id,
      r.subject,
      r.branches.map(packBranch).join(" "),
      r.files,
      r.reports.map((q): PackedReport => [q.title, q.kind, packFrames(q.frames)]),
      r.functions,
    ];
    return JSON.stringify(packed);
  });
  const shards: Buffer[] = [];
  for (let i = 0; i < lines.length; i += shardRecords)
    shards.push(zlib().gzipSync(`${lines.slice(i, i + shardRecords).join("\n")}\n`, { level: 9 }));
  const header: Header = {
    format: kbFormat,
    version: kbVersion,
    source,
    count: records.length,
    shards: shards.map((b) => b.length),
  };
  const lookup = [JSON.stringify(header), [...modules].sort().join(" ")];
  for (const [name, list] of [...functions].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    lookup.push(`${name}\t${list.join(",")}`);
  return {
    lookup: Buffer.from(`${lookup.join("\n")}\n`),
    records: Buffer.concat(shards),
  };
}

function bad(what: string, path: string): CrashlensError {
  return new CrashlensError("bad-data", `${path}: not a crashlens known-bugs index (${what})`, {
    path,
  });
}

const kinds = new Set<string>(KINDS);

function unpackRecord(item: unknown, path: string): KbRecord {
  if (!Array.isArray(item) || item.length < 6) throw bad("a record", path);
  const [id, subject, branches, files, reports, functions] = item as PackedRecord;
  return {
    id: String(id),
    subject: String(subject),
    branches: String(branches).split(" ").filter(Boolean).map(unpackBranch),
    files: Array.isArray(files) ? files.map(String) : [],
    reports: (Array.isArray(reports) ? reports : []).map(
      ([title, kind, frames]): QuotedReport => ({
        title: String(title),
        kind: (kinds.has(kind) ? kind : "other") as Kind,
        frames: unpackFrames(String(frames)),
      }),
    ),
    functions: Array.isArray(functions) ? functions.map(String) : [],
  };
}

function unzip(bytes: Uint8Array, path: string): string {
  try {
    return zlib().gunzipSync(bytes, { maxOutputLength: maxKbBytes }).toString("utf8");
  } catch (cause) {
    throw bad(String((cause as Error).message ?? cause), path);
  }
}

/**
 * Reads an index: the look-up now, the records (`readRecords`) on the first record asked
 * for. `path` names the index in errors.
 */
export function decodeKb(
  lookupBytes: Uint8Array,
  readRecords: () => Uint8Array,
  path: string,
): KbFile {
  const gzipped = lookupBytes[0] === 0x1f && lookupBytes[1] === 0x8b;
  if (!gzipped && lookupBytes.length > maxKbBytes) throw bad("look-up too large", path);
  const text = gzipped ? unzip(lookupBytes, path) : Buffer.from(lookupBytes).toString("utf8");
  const first = text.indexOf("\n");
  const second = text.indexOf("\n", first + 1);
  let header: Header;
  try {
    header = JSON.parse(text.slice(0, first));
  } catch {
    throw bad("header", path);
  }
  if (header?.format !== kbFormat) throw bad("format", path);
  if (header.version !== kbVersion)
    throw bad(`version ${String(header.version)}, this crashlens reads ${kbVersion}`, path);
  if (second < 0) throw bad("look-up", path);
  const count = Math.max(0, Number(header.count) || 0);
  const modulesLine = ` ${text.slice(first + 1, second)} `;
  const postingsCache = new Map<string, readonly number[]>();
  const shardSizes = Array.isArray(header.shards) ? header.shards.map(Number) : [];
  const shardStarts = shardSizes.map((_, i) => shardSizes.slice(0, i).reduce((a, b) => a + b, 0));
  let file: Uint8Array | undefined;
  const shards = new Map<number, string[]>();
  const cache = new Map<number, KbRecord>();
  const lineOf = (index: number): string => {
    const shard = Math.floor(index / shardRecords);
    let lines = shards.get(shard);
    if (!lines) {
      file ??= readRecords();
      const start = shardStarts[shard];
      const size = shardSizes[shard];
      if (start === undefined || size === undefined || start + size > file.length)
        throw bad(`records shard ${shard}`, path);
      lines = unzip(file.subarray(start, start + size), path).split("\n");
      shards.set(shard, lines);
    }
    return lines[index % shardRecords] ?? "";
  };
  return {
    source: header.source,
    count,
    postings(symbol: string): readonly number[] {
      let list = postingsCache.get(symbol);
      if (list === undefined) {
        list = [];
        if (!/\s/.test(symbol)) {
          const at = text.indexOf(`\n${symbol}\t`, second - 1);
          if (at >= 0) {
            const from = at + symbol.length + 2;
            const to = text.indexOf("\n", from);
            list = text
              .slice(from, to < 0 ? undefined : to)
              .split(",")
              .map(Number)
              .filter((i) => Number.isInteger(i) && i >= 0 && i < count);
          }
        }
        postingsCache.set(symbol, list);
      }
      return list;
    },
    hasModule(name: string): boolean {
      return !/\s/.test(name) && modulesLine.includes(` ${name} `);
    },
    record(index: number): KbRecord {
      let record = cache.get(index);
      if (!record) {
        if (index < 0 || index >= count) throw bad(`record ${index}`, path);
        let item: unknown;
        try {
          item = JSON.parse(lineOf(index));
        } catch {
          throw bad(`record ${index}`, path);
        }
        record = unpackRecord(item, path);
        cache.set(index, record);
      }
      return record;
    },
  };
}
