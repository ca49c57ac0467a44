/**
 * @module knowledge/match
 * Ranks the known bugs a report may be. Evidence, each weighted by how rare its functions are
 * among all records (a frame hundreds of records name, such as vfs_write, tells nothing):
 * - the crashing function is the record's (or one frame away: inlining moves it);
 * - the next non-generic frames appear in the record's report in the same order;
 * - the titles agree (syzkaller-normalised), the kinds agree or are the same failure seen
 *   with and without KASAN;
 * - the fix's subject names the crashing function, with words that fit the kind.
 * Confidence, where "specific" means few records name the function (KnowledgeBase.specificity):
 * - `exact`: the same specific crashing function, two more specific frames in order, and the
 *   same title or kind;
 * - `likely`: the same specific crashing function and the title, or one more specific frame
 *   and a related kind, or two more frames; the crashing functions a frame apart and the
 *   same title; or a subject naming the crashing function that the title names too, in
 *   words that fit the kind;
 * - `possible`: anything else scoring at least minScore.
 * A crash in a module flagged out-of-tree or touched by no record is never above `possible`;
 * a deliberate crash (SysRq-c, LKDTM) and an OOM kill match nothing.
 */
import type { Kind, Report } from "../oops/report.js";
import { titleFrame } from "../oops/title/sanitize.js";
import type { KnowledgeBase, RecordRef } from "./kb/knowledge-base.js";
import type { KbRecord, QuotedReport } from "./kb/record.js";
import { type FrameKey, type Signature, signatureOf } from "./signature.js";

export type Confidence = "exact" | "likely" | "possible";

export interface Candidate {
  record: KbRecord;
  /** 0..100 */
  score: number;
  confidence: Confidence;
  /** what matched, in words: "crashing function mt7921_irq_handler [mt7921e]", … */
  matched: string[];
}

/** Candidates returned per report. */
export const maxCandidates = 5;
/** Below this score a candidate is not worth showing. */
const minScore = 25;
/** A crashing function at least this specific can carry a `likely` or `exact` match. */
const minSpecificity = 0.5;
/** A function at least this specific brings the records that name it into the comparison. */
const minPoolSpecificity = 0.35;
/** The first frames (the crash and its callers) bring candidates at minPoolSpecificity. */
const poolTopFrames = 3;
/** Specificity a record's frames need in all for the full frame score (one rare frame is half). */
const fullFrameWeight = 2;
/** Frames of a record's report compared, in order. */
const comparedFrames = 6;

/** Crashes that are deliberate: no bug to find. */
const deliberate = /^(?:sysrq_handle_crash|lkdtm_\w+|panic_on_oops_handler)$/;

/**
 * Reports that are no bug's signature: an OOM kill's stack is wherever memory ran out (a leak
 * elsewhere, or a workload too big), not the code at fault.
 */
const unmatchedKinds = new Set<Kind>(["oom"]);

/** Kinds that are one failure seen through different detectors (KASAN or not). */
const kindFamilies: ReadonlyArray<readonly Kind[]> = [
  ["null-deref", "paging-request", "general-protection", "kasan"],
  ["kernel-bug", "warning", "invalid-opcode", "list-corruption", "ubsan"],
  ["soft-lockup", "hard-lockup", "rcu-stall", "hung-task"],
];

function kindRelation(a: Kind, b: Kind): "same" | "family" | "neutral" | "different" {
  if (a === b) return "same";
  if (a === "other" || b === "other") return "neutral";
  return kindFamilies.some((f) => f.includes(a) && f.includes(b)) ? "family" : "different";
}

/** Words in a fix's subject and the kinds of report they go with. */
const subjectKinds: ReadonlyArray<{ words: RegExp; kinds: readonly Kind[] }> = [
  {
    words: /use[- ]after[- ]free|\buaf\b|double[- ]free/i,
    kinds: ["kasan", "general-protection", "paging-request", "null-deref", "list-corruption"],
  },
  {
    words: /null[- ](?:ptr|pointer)|null[- ]deref|\bnull\b/i,
    kinds: ["null-deref", "general-protection", "kasan", "paging-request"],
  },
  {
    words: /out[- ]of[- ]bounds|\boob\b|overflow|overrun|underflow/i,
    kinds: ["kasan", "ubsan", "paging-request", "general-protection"],
  },
  { words: /\bwarn|warning|splat/i, kinds: ["warning"] },
  { words: /\bBUG\b|BUG_ON/, kinds: ["kernel-bug", "invalid-opcode"] },
  {
    words: /lockup|stall|hung|hang|infinite loop|livelock/i,
    kinds: ["soft-lockup", "hard-lockup", "rcu-stall", "hung-task"],
  },
  { words: /divide|division by zero|div0/i, kinds: ["divide-error"] },
  { words: /stack overflow|recursion/i, kinds: ["stack-overflow"] },
  { words: /list corruption|list_del|list_add/i, kinds: ["list-corruption"] },
  {
    words: /\bcrash|\boops|panic|page fault|invalid access|bad access/i,
    kinds: ["null-deref", "paging-request", "general-protection", "kernel-bug", "kasan"],
  },
];

/** KASAN's bug class in a title ("use-after-free", "out-of-bounds"), when it has one. */
const kasanClass =
  /KASAN: (?:slab-|vmalloc-|global-|stack-)?(use-after-free|out-of-bounds|double-free|null-ptr-deref|wild-memory-access)/;

function subjectFitsKind(subject: string, kind: Kind, title: string): boolean {
  const cls = kasanClass.exec(title)?.[1];
  if (
    cls &&
    !subject
      .toLowerCase()
      .replace(/[ _]/g, "-")
      .includes(cls.replace(/^use-after-free$/, "after-free"))
  )
    return false;
  return subjectKinds.some((s) => s.words.test(subject) && s.kinds.includes(kind));
}

const frameText = (f: FrameKey) => (f.module ? `${f.symbol} [${f.module}]` : f.symbol);
const sameFrame = (a: FrameKey, b: FrameKey) => a.symbol === b.symbol;

/** The record's frames found in the report's, in order (longest common subsequence). */
function framesInOrder(report: readonly FrameKey[], quoted: readonly FrameKey[]): FrameKey[] {
  const n = report.length;
  const m = quoted.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = table[i] as number[];
      row[j] = sameFrame(report[i] as FrameKey, quoted[j] as FrameKey)
        ? ((table[i + 1] as number[])[j + 1] as number) + 1
        : Math.max((table[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const out: FrameKey[] = [];
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (sameFrame(report[i] as FrameKey, quoted[j] as FrameKey)) {
      out.push(quoted[j] as FrameKey);
      i++;
      j++;
    } else if (
      ((table[i + 1] as number[])[j] as number) >= ((table[i] as number[])[j + 1] as number)
    )
      i++;
    else j++;
  }
  return out;
}

interface Evidence {
  score: number;
  confidence: Confidence;
  matched: string[];
}

/** How one quoted report of a record compares with the user's. */
function compareReport(kb: KnowledgeBase, sig: Signature, quoted: QuotedReport): Evidence {
  const matched: string[] = [];
  let score = 0;
  const fn = sig.frames[0] as FrameKey;
  const qfn = quoted.frames[0];
  const spec = kb.specificity(fn.symbol);
  let fnMatch: "same" | "near" | "none" = "none";
  if (qfn && sameFrame(fn, qfn)) {
    fnMatch = "same";
    score += 35 * spec;
    matched.push(`crashing function ${frameText(fn)}`);
  } else if (qfn) {
    // one of the two kernels inlined a call the other did not: the crashing functions are
    // one or two frames apart on the same stack
    const shared = quoted.frames.slice(1, 3).some((f) => sameFrame(f, fn))
      ? fn
      : sig.frames.slice(1, 3).find((f) => sameFrame(f, qfn));
    if (shared) {
      fnMatch = "near";
      score += 20 * kb.specificity(shared.symbol);
      matched.push(
        `crashing functions ${frameText(fn)} and ${frameText(qfn)} are a frame apart (inlining)`,
      );
    }
  }
  const compared = quoted.frames.slice(0, comparedFrames);
  const common = framesInOrder(sig.frames, compared);
  const weightOf = (f: FrameKey) => kb.specificity(f.symbol);
  const total = compared.reduce((s, f) => s + weightOf(f), 0);
  const found = common.reduce((s, f) => s + weightOf(f), 0);
  if (total > 0) score += 30 * (found / Math.max(total, fullFrameWeight));
  // frames that say where the bug is, not how it was reached (vfs_write, __fput…)
  const further = common.filter((f) => !sameFrame(f, fn) && weightOf(f) >= minSpecificity);
  if (common.length > 1)
    matched.push(
      `${common.length} of ${compared.length} frames in order: ${common.map(frameText).join(" ← ")}`,
    );
  const titled = titleFrame(quoted.title);
  const titleMatch =
    quoted.title !== "" &&
    titled !== undefined &&
    titled !== "corrupted" &&
    quoted.title === sig.title;
  if (titleMatch) {
    score += 20 * spec;
    matched.push(`title "${quoted.title}"`);
  }
  const kinds = kindRelation(sig.kind, quoted.kind);
  if (kinds === "same") score += 8;
  else if (kinds === "family") score += 4;
  else if (kinds === "different") score -= 8;
  if (kinds === "same" || kinds === "family") matched.push(`kind ${quoted.kind}`);
  let confidence: Confidence = "possible";
  const strongFn = spec >= minSpecificity;
  if (strongFn && fnMatch === "same" && further.length >= 2 && (titleMatch || kinds === "same"))
    confidence = "exact";
  else if (
    strongFn &&
    kinds !== "different" &&
    ((fnMatch === "same" &&
      (titleMatch || (further.length >= 1 && kinds !== "neutral") || further.length >= 2)) ||
      (fnMatch === "near" && titleMatch))
  )
    confidence = "likely";
  return { score, confidence, matched };
}

/** What the subject alone says: it names the crashing function, or a frame near it. */
function compareSubject(kb: KnowledgeBase, sig: Signature, record: KbRecord): Evidence | undefined {
  const names = new Set(record.functions);
  if (names.size === 0) return undefined;
  const fn = sig.frames[0] as FrameKey;
  const spec = kb.specificity(fn.symbol);
  const fits = subjectFitsKind(record.subject, sig.kind, sig.title);
  if (names.has(fn.symbol)) {
    const matched = [`the fix's subject names the crashing function ${fn.symbol}`];
    if (fits) matched.push(`its words fit a ${sig.kind} report`);
    // the title names the same function: the crash is reported there, not only passes by
    const titled = titleFrame(sig.title) === fn.symbol;
    return {
      score: 30 * spec + (fits ? 10 : 0),
      confidence: fits && titled && spec >= minSpecificity ? "likely" : "possible",
      matched,
    };
  }
  const near = sig.frames.slice(1, 4).find((f) => names.has(f.symbol));
  if (near) {
    return {
      score: 15 * kb.specificity(near.symbol) + (fits ? 10 : 0),
      confidence: "possible",
      matched: [`the fix's subject names ${near.symbol}, a caller of the crashing function`],
    };
  }
  return undefined;
}

const rank: Record<Confidence, number> = { exact: 3, likely: 2, possible: 1 };

/** The crash is in a module that no record names: out-of-tree or vendor code. */
function outOfTreeModule(kb: KnowledgeBase, report: Report, sig: Signature): string | undefined {
  const module = (sig.frames[0] as FrameKey).module ?? report.ip?.module ?? undefined;
  if (!module) return undefined;
  const flags = report.modules.find((m) => m.name === module)?.flags ?? "";
  if (/[OEP]/.test(flags) || !kb.knowsModule(module)) return module;
  return undefined;
}

/** The report names a function a known bug could be found by (and is no deliberate crash). */
export function hasLookupKey(report: Report, sig: Signature = signatureOf(report)): boolean {
  if (unmatchedKinds.has(report.kind)) return false;
  const fn = sig.frames[0];
  return fn !== undefined && !deliberate.test(fn.symbol);
}

/** The known bugs `report` may be, best first, at most maxCandidates. */
export function matchReport(
  kb: KnowledgeBase,
  report: Report,
  sig: Signature = signatureOf(report),
): Candidate[] {
  if (unmatchedKinds.has(report.kind)) return [];
  const fn = sig.frames[0];
  if (!fn || deliberate.test(fn.symbol)) return [];
  // candidates come through the functions that tell bugs apart: a record reached only through
  // vfs_write or kthread could not be told from hundreds of others (and is not read)
  const pool = new Map<string, RecordRef>();
  for (const [i, frame] of sig.frames.entries()) {
    // deeper frames say how the code was reached: only rare ones bring candidates
    if (kb.specificity(frame.symbol) < (i < poolTopFrames ? minPoolSpecificity : minSpecificity))
      continue;
    for (const ref of kb.recordsNaming(frame.symbol)) pool.set(`${ref.file}:${ref.index}`, ref);
  }
  const oot = outOfTreeModule(kb, report, sig);
  const out: Candidate[] = [];
  for (const ref of pool.values()) {
    const record = kb.record(ref);
    let best: Evidence | undefined;
    for (const quoted of record.reports) {
      if (quoted.frames.length === 0) continue;
      const e = compareReport(kb, sig, quoted);
      if (!best || e.score > best.score) best = e;
    }
    const subject = compareSubject(kb, sig, record);
    if (subject) {
      if (!best) best = subject;
      else {
        best = {
          score: best.score + subject.score / 2,
          confidence:
            rank[subject.confidence] > rank[best.confidence] ? subject.confidence : best.confidence,
          matched: [...best.matched, ...subject.matched],
        };
      }
    }
    if (!best || best.score < minScore) continue;
    let confidence = best.confidence;
    const matched = [...best.matched];
    if (oot && confidence !== "possible") {
      confidence = "possible";
      matched.push(
        `capped at possible: the crash is in module ${oot}, out-of-tree code (flagged, or touched by no record)`,
      );
    }
    out.push({ record, score: Math.min(100, Math.round(best.score)), confidence, matched });
  }
  out.sort(
    (a, b) =>
      rank[b.confidence] - rank[a.confidence] ||
      b.score - a.score ||
      b.record.reports.length - a.record.reports.length ||
      a.record.id.localeCompare(b.record.id),
  );
  return out.slice(0, maxCandidates);
}
