/**
 * @module knowledge/kb/build
 * Builds an index file from a `vulns` repository layout (shared by scripts/build-kb.ts and
 * `crashlens kb update`).
 */
import { readVulnsDir } from "../vulns/import.js";
import { type EncodedKb, encodeKb } from "./kb-file.js";
import type { KbRecord, KbSource } from "./record.js";

/**
 * Reads every record under `dir`; `label` is what the index says it came from (a path for a
 * user's clone, a fixed name for the packaged index so that builds are reproducible).
 */
export async function buildVulnsKb(
  dir: string,
  label: string = dir,
  onRecord?: (count: number) => void,
): Promise<{ encoded: EncodedKb; source: KbSource; records: KbRecord[] }> {
  const records: KbRecord[] = [];
  for await (const record of readVulnsDir(dir)) {
    records.push(record);
    onRecord?.(records.length);
  }
  const source: KbSource = {
    kind: "cve",
    from: label,
    built: new Date().toISOString(),
    records: records.length,
    withReports: records.filter((r) => r.reports.length > 0).length,
  };
  return { encoded: encodeKb(source, records), source, records };
}

/**
 * Builds a git-history index from a kernel checkout; fixes the CVE index already has
 * (`skip`, abbreviated commits) are left out.
 */
export async function buildGitKb(
  dir: string,
  skip: ReadonlySet<string>,
  range?: string,
): Promise<{ encoded: EncodedKb; source: KbSource }> {
  const { readGitHistory } = await import("../git/import-git.js");
  const records = await readGitHistory(dir, range ? { range, skip } : { skip });
  const source: KbSource = {
    kind: "git",
    from: dir,
    built: new Date().toISOString(),
    records: records.length,
    withReports: records.length,
  };
  return { encoded: encodeKb(source, records), source };
}
