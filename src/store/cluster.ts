/**
 * @module store/cluster
 * Which cluster a report belongs to: a key built from a table of parts, each read from the
 * report's signature (knowledge/signature: the syzkaller-normalised title, the kind, the
 * crashing function and the next non-generic frames with compiler clones, offsets and `?`
 * frames left out). A rule change is a change to this table and its version; `recluster()`
 * applies it to stored reports.
 *
 * Measured on the committed inputs (store/cluster.test.ts):
 * - the callers after the crashing function depend on the build: the same lab bug gives
 *   `buggy_read_status ← buggy_do_nullread ← buggy_write` on x86-64 and
 *   `buggy_read_status ← buggy_dispatch ← buggy_write` on arm64 (each compiler inlined a
 *   different helper), and one soft lockup sampled twice gives two different caller lists.
 *   So the key holds the crashing function (`callerFrames: 0`), and the caller paths are
 *   kept per cluster as facts, not as identity.
 * - titles shared by different bugs ("kernel BUG in corrupted", s390's "Unable to handle
 *   kernel pointer dereference in virtual kernel address space") are told apart by the
 *   crashing function and its module.
 * - a report with neither a frame nor a function in its title (a cut or unsymbolised log)
 *   says nothing that could match it to another bug: it gets a cluster of its own.
 */

import { type FrameKey, signatureOf } from "../knowledge/signature.js";
import type { Report } from "../oops/report.js";

/** Bump when the table or its parameters change: stored keys of older versions are stale. */
export const clusterRulesVersion = 1;

/** The rules' parameters; a store may be opened with others, and `recluster()` applies them. */
export interface ClusterRules {
  /** how many frames after the crashing function are part of the key (see the module note) */
  callerFrames: number;
}

export const defaultClusterRules: ClusterRules = { callerFrames: 0 };

/** How many caller frames a cluster records as its paths. */
export const pathFrames = 3;

export interface ClusterFacts {
  key: string;
  title: string;
  kind: string;
  function: string | null;
  module: string | null;
  /** the first frames after the crashing function, for the cluster's path list */
  path: string[];
}

interface KeyContext {
  title: string;
  kind: string;
  frames: FrameKey[];
  /** identifies this one report, for reports nothing else identifies */
  hash: string;
  rules: ClusterRules;
}

const frameText = (f: FrameKey) => (f.module ? `${f.symbol} [${f.module}]` : f.symbol);
/** a title that names no function: syzkaller's "in corrupted", or a class alone */
const titleNamesNoFunction = (title: string) => / in corrupted$/.test(title) || !/ in /.test(title);

/** The key's parts, in order. Each says why it is there. */
const keyParts: ReadonlyArray<{ part: string; why: string; of: (c: KeyContext) => string }> = [
  {
    part: "title",
    why: "syzkaller's title, normalised across kernel versions: class and first non-generic frame",
    of: (c) => c.title,
  },
  {
    part: "kind",
    why: "one function can both warn and oops; those are different failures",
    of: (c) => c.kind,
  },
  {
    part: "function",
    why: "the crashing function and its module: tells apart bugs whose titles name no function",
    of: (c) => (c.frames[0] ? frameText(c.frames[0]) : ""),
  },
  {
    part: "callers",
    why: "further frames, when callerFrames > 0 (0: they depend on the build's inlining)",
    of: (c) =>
      c.frames
        .slice(1, 1 + c.rules.callerFrames)
        .map(frameText)
        .join(" < "),
  },
  {
    part: "unique",
    why: "no frame and no function in the title: nothing to match on, so the report stands alone",
    of: (c) => (c.frames.length === 0 && titleNamesNoFunction(c.title) ? c.hash : ""),
  },
];

/** The cluster key and the facts a cluster shows, for one report whose content hash is `hash`. */
export function clusterFacts(
  report: Report,
  hash: string,
  rules: ClusterRules = defaultClusterRules,
): ClusterFacts {
  const signature = signatureOf(report);
  const context: KeyContext = { ...signature, hash, rules };
  const key = `v${clusterRulesVersion}\x1f${keyParts.map((p) => p.of(context)).join("\x1f")}`;
  const first = signature.frames[0];
  return {
    key,
    title: report.title,
    kind: report.kind,
    function: first?.symbol ?? null,
    module: first?.module ?? null,
    path: signature.frames.slice(1, 1 + pathFrames).map(frameText),
  };
}
