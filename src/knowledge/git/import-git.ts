/**
 * @module knowledge/git/import-git
 * Indexes a kernel git checkout's history: every commit whose message carries a `Fixes:` tag
 * and quotes a crash report becomes a record (id: the commit, abbreviated), with the release
 * tags that first contain the fix and the commits it fixes (`git name-rev --tags`). This
 * reaches fixes older than the CVE records (seed 004's 2014 neighbour fix) on machines that
 * have the history. `git log` does the filtering (`--grep` both marks, `--all-match`).
 */
import { spawn } from "node:child_process";
import { CrashlensError } from "../../errors.js";
import type { BranchVersions, KbRecord } from "../kb/record.js";
import { commitChars } from "../vulns/cve-mail.js";
import { quotedReports, subjectFunctions } from "../vulns/quoted-reports.js";

/** Marks of a quoted report, as git's extended regexp: a commit must have one to be read. */
const reportMarks =
  "Call Trace|Call trace|BUG: |WARNING: |KASAN: |UBSAN: |RIP: |Oops|general protection|Unable to handle kernel|kernel BUG at|INFO: task|soft lockup|rcu.*stall";

/** Commits read at most per import (the kernel has ~30k such commits; far below this). */
export const maxGitCommits = 200_000;
/** Characters of one commit message kept (longer ones are cut, as mails are). */
const maxMessageChars = 256 * 1024;

export interface GitCommit {
  commit: string;
  subject: string;
  body: string;
}

/** Runs git and streams its stdout as text chunks; rejects with git's stderr on failure. */
async function* gitOutput(dir: string, args: readonly string[]): AsyncGenerator<string> {
  const child = spawn("git", ["-C", dir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
  child.stdout.setEncoding("utf8");
  try {
    for await (const chunk of child.stdout) yield chunk as string;
  } finally {
    if (child.exitCode === null) child.kill();
  }
  let code: number;
  try {
    code = await exited;
  } catch (cause) {
    throw new CrashlensError("os", `cannot run git: ${(cause as Error).message}`, { cause });
  }
  if (code !== 0)
    throw new CrashlensError(
      "os",
      `git ${args[0]} in ${dir} failed: ${stderr.trim() || `exit ${code}`}`,
      {
        path: dir,
      },
    );
}

/** Commits that carry `Fixes:` and a report mark, newest first; `range` limits them (`v6.1..`). */
export async function* readFixCommits(dir: string, range?: string): AsyncGenerator<GitCommit> {
  const args = [
    "log",
    "--no-merges",
    "--all-match",
    "-E",
    "--grep=^Fixes: *[0-9a-f]{8,}",
    `--grep=${reportMarks}`,
    `--max-count=${maxGitCommits}`,
    "--format=%x1e%H%x1f%s%x1f%b",
    ...(range ? [range] : []),
  ];
  let pending = "";
  const parse = (record: string): GitCommit | undefined => {
    const [commit = "", subject = "", body = ""] = record.split("\x1f");
    if (!/^[0-9a-f]{40}$/.test(commit.trim())) return undefined;
    return { commit: commit.trim(), subject: subject.trim(), body: body.slice(0, maxMessageChars) };
  };
  for await (const chunk of gitOutput(dir, args)) {
    pending += chunk;
    const parts = pending.split("\x1e");
    pending = parts.pop() ?? "";
    for (const part of parts) {
      const commit = parse(part);
      if (commit) yield commit;
    }
  }
  const last = parse(pending);
  if (last) yield last;
}

/** `Fixes: 1234abcd5678 ("subject")` tags of a message, abbreviated. */
export function fixesTags(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/^Fixes:\s*([0-9a-f]{8,40})\b/gim))
    out.add((m[1] as string).slice(0, commitChars).toLowerCase());
  return [...out];
}

/** A record from one commit, before versions are known; undefined when it quotes no report. */
export function recordOfCommit(commit: GitCommit): KbRecord | undefined {
  const reports = quotedReports(commit.body);
  const fixes = fixesTags(commit.body);
  if (reports.length === 0 || fixes.length === 0) return undefined;
  const id = commit.commit.slice(0, commitChars);
  return {
    id,
    subject: commit.subject,
    branches: fixes.map((f) => ({ introducedCommit: f, fixCommit: id })),
    files: [],
    reports,
    functions: subjectFunctions(commit.subject),
  };
}

/** "v6.9-rc3~12^2~3" → "6.9-rc3"; undefined when no release tag contains the commit. */
export function releaseOfName(name: string): string | undefined {
  const m = /^v(\d+\.\d+(?:\.\d+)?(?:-rc\d+)?)(?:[~^]|$)/.exec(name.trim());
  return m?.[1];
}

/** The first release tag containing each commit (`git name-rev --tags`), in batches. */
export async function releasesOf(
  dir: string,
  commits: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(commits)];
  for (let i = 0; i < unique.length; i += 256) {
    const batch = unique.slice(i, i + 256);
    let text = "";
    try {
      for await (const chunk of gitOutput(dir, [
        "name-rev",
        "--tags",
        "--name-only",
        "--always",
        ...batch,
      ]))
        text += chunk;
    } catch {
      // a commit the checkout does not have (a Fixes: tag to another tree): named one by one
      for (const commit of batch) {
        try {
          let one = "";
          for await (const chunk of gitOutput(dir, ["name-rev", "--tags", "--name-only", commit]))
            one += chunk;
          const release = releaseOfName(one);
          if (release) out.set(commit, release);
        } catch {
          // unknown here: no version
        }
      }
      continue;
    }
    text
      .split("\n")
      .slice(0, batch.length)
      .forEach((name, j) => {
        const release = releaseOfName(name);
        if (release) out.set(batch[j] as string, release);
      });
  }
  return out;
}

/**
 * Reads a checkout's history into records with versions. `skip` holds fix commits another
 * index already has (the CVE records): those are not repeated.
 */
export async function readGitHistory(
  dir: string,
  options: { range?: string; skip?: ReadonlySet<string>; onCommit?: (n: number) => void } = {},
): Promise<KbRecord[]> {
  const records: KbRecord[] = [];
  let n = 0;
  for await (const commit of readFixCommits(dir, options.range)) {
    options.onCommit?.(++n);
    const record = recordOfCommit(commit);
    if (record && !options.skip?.has(record.id)) records.push(record);
  }
  const commits = records.flatMap((r) =>
    r.branches.flatMap((b) => [b.fixCommit, b.introducedCommit].filter((c): c is string => !!c)),
  );
  const releases = await releasesOf(dir, commits);
  for (const record of records) {
    record.branches = record.branches.map((b): BranchVersions => {
      const out: BranchVersions = { ...b };
      const fixed = b.fixCommit ? releases.get(b.fixCommit) : undefined;
      const introduced = b.introducedCommit ? releases.get(b.introducedCommit) : undefined;
      if (fixed) out.fixed = fixed;
      if (introduced) out.introduced = introduced;
      return out;
    });
  }
  return records;
}
