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
 * - version 2 (judged on every committed input sent through `crashlens submit`): the stack
 *   printers ARM32 shows as frames (`unwind_backtrace from show_stack`) and the SPL helpers
 *   ZFS prints through are not the bug; a title that says "in corrupted" while the stack
 *   names the function (syzkaller's title rules need a trace heading or a pc line), or a
 *   pre-3.x `WARNING: at file:line func()` header, is keyed as the modern title; a WARNING
 *   is keyed on the function that raised it (unless that is a generic helper such as
 *   refcount_warn_saturate); a report without frames is keyed on the culprit crashlens
 *   named, when it named one.
 */

import type { Culprit } from "../diagnose/types.js";
import {
  canonicalSymbol,
  type FrameKey,
  isGenericFrame,
  signatureOf,
} from "../knowledge/signature.js";
import type { Report } from "../oops/report.js";

/** Bump when the table or its parameters change: stored keys of older versions are stale. */
export const clusterRulesVersion = 2;

/**
 * Frames that are not the bug, though the signature keeps them (they are not generic for
 * matching known bugs, where they never come first): each with why.
 */
const notTheBug: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  {
    pattern:
      /^(?:unwind_backtrace|c_backtrace|dump_backtrace|show_stack|__dump_stack|dump_stack(?:_lvl)?)$/,
    why: "the stack printer itself: ARM32's `X from Y` stacks start with it",
  },
  {
    pattern: /^(?:make_task_dead|__und_svc_finish)$/,
    why: "the path die() and ARM32's undefined-instruction handler take after any oops",
  },
  {
    pattern: /^(?:spl_(?:debug_)?dumpstack|spl_panic|__?cv_(?:timed)?wait\w*)$/,
    why: "ZFS's SPL: its assertion printer, and the sleep every ZFS hung task is in",
  },
];
const isNotTheBug = (symbol: string) => notTheBug.some((n) => n.pattern.test(symbol));

/** Title spellings the key reads as another, each with why. `$1` is the function. */
const keyTitleRewrites: ReadonlyArray<{ from: RegExp; to: string; why: string }> = [
  {
    from: /^WARNING: (?:CPU: NUM PID: NUM )?at \S+ (\w+)(?:\+\S+)?(?: \[[\w-]+\])?(?:\(\))?$/,
    to: "WARNING in $1",
    why: "kernels before 3.x printed `WARNING: at file:line func()`: the same warning as `WARNING in func`",
  },
  {
    from: /^WARNING: CPU: NUM PID: NUM at\b.*$/,
    to: "WARNING in corrupted",
    why: "a WARNING header cut after `at`: nothing but the class is left",
  },
];

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
/** a title that names no function: syzkaller's "in corrupted", a class alone, or a generic frame */
function titleNamesNoFunction(title: string): boolean {
  const named = / in (\S+)$/.exec(title)?.[1];
  return named === undefined || named === "corrupted" || isGenericFrame(named);
}

/** The function a WARNING names in its header, else the instruction pointer's. */
function warningSite(report: Report): FrameKey | undefined {
  const named = report.assertion?.function
    ? { symbol: report.assertion.function, module: report.assertion.module }
    : { symbol: report.ip?.symbol, module: report.ip?.module ?? undefined };
  if (!named.symbol) return undefined;
  const symbol = canonicalSymbol(named.symbol);
  if (isGenericFrame(symbol)) return undefined;
  return named.module ? { symbol, module: named.module } : { symbol };
}

/** The title as the key reads it: rewritten, and "in corrupted" named after the frame. */
function keyTitle(title: string, first: FrameKey | undefined): string {
  let out = title;
  for (const { from, to } of keyTitleRewrites) out = out.replace(from, to);
  return first ? out.replace(/ in corrupted$/, ` in ${first.symbol}`) : out;
}

/** The key's parts, in order. Each says why it is there. */
const keyParts: ReadonlyArray<{ part: string; why: string; of: (c: KeyContext) => string }> = [
  {
    part: "title",
    why: "syzkaller's title, normalised across kernel versions: class and first non-generic frame",
    of: (c) => keyTitle(c.title, c.frames[0]),
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
  report: Report & { culprit?: Culprit },
  hash: string,
  rules: ClusterRules = defaultClusterRules,
): ClusterFacts {
  const signature = signatureOf(report);
  let frames = signature.frames.filter((f) => !isNotTheBug(f.symbol));
  // a WARNING's bug is where it was raised (`at file:line func+off`) — unless that is a
  // helper every caller warns through (refcount_warn_saturate): then the stack decides
  const site = report.kind === "warning" ? warningSite(report) : undefined;
  if (site) frames = [site, ...frames.filter((f) => f.symbol !== site.symbol)];
  // no frame at all (a stall printed without a stack): the culprit, when evidence named one
  if (frames.length === 0 && report.culprit)
    frames = [
      {
        symbol: canonicalSymbol(report.culprit.symbol),
        module: report.culprit.module ?? undefined,
      },
    ];
  const context: KeyContext = { ...signature, frames, hash, rules };
  const key = `v${clusterRulesVersion}\x1f${keyParts.map((p) => p.of(context)).join("\x1f")}`;
  const first = frames[0];
  return {
    key,
    title: report.title,
    kind: report.kind,
    function: first?.symbol ?? null,
    module: first?.module ?? null,
    path: frames.slice(1, 1 + pathFrames).map(frameText),
  };
}
