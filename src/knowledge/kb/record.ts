/**
 * @module knowledge/kb/record
 * One known bug as the index keeps it: identifiers, the fix and its versions, the files it
 * touches, and the signatures of the reports its fix message quotes. Only data: never the
 * prose of the message it was read from.
 */
import type { Kind } from "../../oops/report.js";
import type { FrameKey } from "../signature.js";

/** Where a version of the fix or the bug is, per stable branch (see vulns/cve-mail). */
export interface BranchVersions {
  /** the release that first had the bug on this branch ("6.4", "6.2.15") */
  introduced?: string;
  /** the commit that introduced it there, abbreviated */
  introducedCommit?: string;
  /** the release that fixed it on this branch ("6.6.23", "6.9"); absent: never fixed there */
  fixed?: string;
  fixCommit?: string;
}

/** The signature of one report quoted in the record's message. */
export interface QuotedReport {
  /** the crashlens (syzkaller-compatible) title, normalised (signature.normaliseTitle) */
  title: string;
  kind: Kind;
  /** the crashing function first, then the next non-generic frames in order */
  frames: FrameKey[];
}

export interface KbRecord {
  /** "CVE-2024-26892", or for a record read from git history the fix commit, abbreviated */
  id: string;
  /** the fix commit's subject line */
  subject: string;
  /** per stable branch: introducing and fixing releases and commits */
  branches: BranchVersions[];
  /** source files the fix touches */
  files: string[];
  reports: QuotedReport[];
  /** functions the subject names ("fix use-after-free in free_irq()" → free_irq) */
  functions: string[];
}

/** Where an index was built from, for `kb` status lines and the README. */
export interface KbSource {
  /** "cve": a `vulns` repository layout; "git": a kernel checkout's history */
  kind: "cve" | "git";
  /** the directory it was read from, as given */
  from: string;
  /** ISO time of the build */
  built: string;
  /** records read; records of them that quote a report */
  records: number;
  withReports: number;
}
