/**
 * @module diagnose/util/taint-announcements
 * The lines the kernel prints when a module taints it, naming the module: "nvidia: loading
 * out-of-tree module taints kernel.", "zfs: module license 'CDDL' taints kernel.", "x: module
 * verification failed: signature and/or required key missing - tainting kernel". They give a
 * module's flags when the report's own module list is missing or cut.
 */
import { isContextLine, TAINT_ANNOUNCEMENTS } from "../../oops/parse-context.js";
import type { Report } from "../../oops/report.js";

export interface Announcement {
  flags: string;
  /** the first line that announced the module */
  line: number;
}

/** Announcements in the whole input, computed once per input. */
const cache = new WeakMap<readonly Report[], Map<string, Announcement>>();

/** How many input lines are read for announcements at most. */
const MAX_LINES = 200_000;

export function taintAnnouncements(
  reports: readonly Report[],
  textOf: (line: number) => string | undefined,
): Map<string, Announcement> {
  let found = cache.get(reports);
  if (found) return found;
  found = new Map();
  const last = Math.min(MAX_LINES, Math.max(0, ...reports.map((r) => r.lines.end)));
  for (let no = 1; no <= last; no++) {
    const text = textOf(no);
    if (text === undefined || !isContextLine(text)) continue;
    for (const { flag, pattern } of TAINT_ANNOUNCEMENTS) {
      const name = pattern.exec(text)?.[1]?.replace(/-/g, "_");
      if (!name) continue;
      const seen = found.get(name);
      if (!seen) found.set(name, { flags: flag, line: no });
      else if (!seen.flags.includes(flag)) seen.flags += flag;
    }
  }
  cache.set(reports, found);
  return found;
}
