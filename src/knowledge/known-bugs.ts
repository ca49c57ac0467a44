/**
 * @module knowledge/known-bugs
 * The front of the known-bugs knowledge: loads the index once (the user's rebuilt copy before
 * the packaged one, see kb/store), matches a report, and gives each candidate its verdict
 * for the report's kernel. `reports[].knownBugs` in the JSON contract is this shape.
 */
import type { Report } from "../oops/report.js";
import { KnowledgeBase } from "./kb/knowledge-base.js";
import type { BranchVersions } from "./kb/record.js";
import { kbLocations, readKbFiles } from "./kb/store.js";
import { type Confidence, hasLookupKey, matchReport } from "./match.js";
import { signatureOf } from "./signature.js";
import {
  compareVersions,
  kernelVersionOf,
  parseUpstreamVersion,
  sameBranch,
  type UpstreamVersion,
  type Verdict,
  verdictFor,
} from "./versions.js";

export interface KnownBug {
  /** "CVE-2024-26892", or the fix commit for a record read from git history */
  id: string;
  /** the fix's subject line */
  subject: string;
  confidence: Confidence;
  /** 0..100 */
  score: number;
  verdict: Verdict;
  /** why the verdict, in one sentence */
  verdictReason: string;
  /** the fix that applies to the report's kernel (its branch's, else mainline's) */
  fix: { commit: string; version: string } | null;
  /** every release that has the fix, one per branch, oldest first */
  fixedIn: string[];
  /** releases that introduced the bug (mainline, and stable branches it was backported to) */
  introducedIn: string[];
  /** what matched, in words */
  matched: string[];
}

let loaded: KnowledgeBase | undefined;

/** The index, read on first use; an index that cannot be read gives an empty one. */
export function knowledgeBase(env: NodeJS.ProcessEnv = process.env): KnowledgeBase {
  if (!loaded) {
    try {
      loaded = new KnowledgeBase(readKbFiles(kbLocations(env)));
    } catch {
      loaded = new KnowledgeBase([]);
    }
  }
  return loaded;
}

/** Forgets the loaded index (after `kb update`, and in tests). */
export function resetKnowledgeBase(kb?: KnowledgeBase): void {
  loaded = kb;
}

const byVersion = (a: string, b: string) => {
  const va = parseUpstreamVersion(a);
  const vb = parseUpstreamVersion(b);
  return va && vb ? compareVersions(va, vb) : a.localeCompare(b);
};

/** The fix for the report's branch when there is one, else the mainline (newest) fix. */
function fixFor(branches: readonly BranchVersions[], v: UpstreamVersion | undefined) {
  const fixes = branches.filter((b) => b.fixed && b.fixCommit);
  if (fixes.length === 0) return null;
  const same = v
    ? fixes.find((b) => {
        const f = parseUpstreamVersion(b.fixed as string);
        return f !== undefined && sameBranch(f, v);
      })
    : undefined;
  const chosen =
    same ?? [...fixes].sort((a, b) => byVersion(a.fixed as string, b.fixed as string)).at(-1);
  return chosen ? { commit: chosen.fixCommit as string, version: chosen.fixed as string } : null;
}

/** The known bugs a report may be, best first (at most 5). */
export function knownBugsFor(report: Report, kb?: KnowledgeBase): KnownBug[] {
  // a report with no function to look up never reads the index
  const sig = signatureOf(report);
  if (!hasLookupKey(report, sig)) return [];
  const kernel = kernelVersionOf(report.kernel.release, report.kernel.build);
  return matchReport(kb ?? knowledgeBase(), report, sig).map((candidate) => {
    const { record } = candidate;
    const verdict = verdictFor(kernel, record.branches);
    const fixedIn = [...new Set(record.branches.flatMap((b) => (b.fixed ? [b.fixed] : [])))].sort(
      byVersion,
    );
    const introducedIn = [
      ...new Set(record.branches.flatMap((b) => (b.introduced ? [b.introduced] : []))),
    ].sort(byVersion);
    return {
      id: record.id,
      subject: record.subject,
      confidence: candidate.confidence,
      score: candidate.score,
      verdict: verdict.verdict,
      verdictReason: verdict.why,
      fix: fixFor(record.branches, kernel.upstream ?? kernel.base),
      fixedIn,
      introducedIn,
      matched: candidate.matched,
    };
  });
}
