/**
 * @module knowledge/kb/store
 * Where indexes live and which are read: a user's own (`crashlens kb update` /
 * `kb import-git`, in `$XDG_CACHE_HOME/crashlens/kb/` or `~/.cache/crashlens/kb/`) before
 * the one shipped in the package (`data/kb/vulns.*.gz`). The CVE index and a git-history
 * index are read together. An index is two files (kb-file): `NAME.lookup`, `NAME.records.gz`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeKb, type EncodedKb, type KbFile } from "./kb-file.js";

/** The CVE index's name, and the git-history index's. */
export const vulnsKb = "vulns";
export const gitKb = "git";

const lookupOf = (dir: string, name: string) => join(dir, `${name}.lookup`);
const recordsOf = (dir: string, name: string) => join(dir, `${name}.records.gz`);

/** The user's index folder. */
export function userKbDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(cache, "crashlens", "kb");
}

/**
 * The packaged index's folder: found by walking up from this module, which is
 * `src/knowledge/kb/` when run from the sources and `dist/` when bundled.
 */
export function packagedKbDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "data", "kb");
    if (existsSync(lookupOf(candidate, vulnsKb))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export interface KbLocation {
  /** the index's name: "vulns" or "git" */
  name: string;
  lookup: string;
  records: string;
  /** "user": rebuilt by the user; "package": shipped with crashlens */
  origin: "user" | "package";
}

function locationIn(dir: string, name: string, origin: KbLocation["origin"]): KbLocation {
  return { name, lookup: lookupOf(dir, name), records: recordsOf(dir, name), origin };
}

/** The indexes to read: the CVE index (the user's, else the packaged one), then git history. */
export function kbLocations(env: NodeJS.ProcessEnv = process.env): KbLocation[] {
  const out: KbLocation[] = [];
  const user = userKbDir(env);
  if (existsSync(lookupOf(user, vulnsKb))) out.push(locationIn(user, vulnsKb, "user"));
  else {
    const packaged = packagedKbDir();
    if (packaged) out.push(locationIn(packaged, vulnsKb, "package"));
  }
  if (existsSync(lookupOf(user, gitKb))) out.push(locationIn(user, gitKb, "user"));
  return out;
}

/** Reads the indexes named by `locations` (each one's records when first needed). */
export function readKbFiles(locations: readonly KbLocation[]): KbFile[] {
  return locations.map((l) =>
    decodeKb(readFileSync(l.lookup), () => readFileSync(l.records), l.lookup),
  );
}

/** Writes an index into `dir` through temporary names, records first, so a reader never sees half of one. */
export function writeKb(dir: string, name: string, kb: EncodedKb): KbLocation {
  mkdirSync(dir, { recursive: true });
  const location = locationIn(dir, name, "user");
  for (const [path, bytes] of [
    [location.records, kb.records],
    [location.lookup, kb.lookup],
  ] as const) {
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  }
  return location;
}
