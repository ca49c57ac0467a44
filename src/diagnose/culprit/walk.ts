/**
 * @module diagnose/culprit/walk
 * The verdict shape, and the walk down a list of frames through the frame table.
 */
import { baseSymbol } from "../../oops/fields/location.js";
import type { Frame, Report } from "../../oops/report.js";
import type { Culprit, Finding } from "../types.js";
import { type Lines, moduleOf, type NumberedText } from "./report-lines.js";
import { frameRule, LOCKUP_KINDS } from "./skip-frames.js";

/** What the culprit selection decided, and by which rule (the rule ids of docs/culprit.md). */
export interface CulpritVerdict {
  rule: string;
  culprit?: Culprit;
  /** why no culprit can be named, when none is */
  noCulprit?: string;
  /** the stack rule that supplied the frame, when it is not the RIP or a trace entry */
  via?: string;
}

export interface CulpritContext {
  /** the input's lines by number, as read (prefixes and all) */
  lines?: Lines;
  /** every report of the same input, in input order */
  reports?: readonly Report[];
  /** the verdict already reached for an earlier report of the same input */
  earlier?: (report: Report) => CulpritVerdict | undefined;
}

export interface SelectState {
  report: Report;
  findings: readonly Finding[];
  ctx: CulpritContext;
  rows: NumberedText[];
}

export function culpritOf(frame: Frame, reason: string, state?: SelectState): Culprit {
  const symbol = baseSymbol(frame.symbol ?? "");
  const module =
    frame.module ?? (state ? moduleOf(frame.symbol ?? "", state.report, state.rows) : null);
  const out: Culprit = { symbol, module, reason };
  if (frame.line) out.line = frame.line;
  return out;
}

const describe = (name: string, why: string) => `${name}: ${why}`;

/** Reference puts that call the object's release callback for their caller. */
const PUT = /^(?:kref_put\w*|kref_sub|kobject_put|kobject_release|kobject_cleanup)$/;

/**
 * A hung task whose whole stack is core kernel code is a waiter: the core path (an open(),
 * a journal commit, a sync) does what it always does, and what it waits for — the lock's
 * holder, the I/O, the worker — is elsewhere. Only a module's own waiting code (a driver
 * deadlocking with its own worker) or a holder the log names can be blamed.
 */
function coreWaiterWhy(frames: readonly Frame[], at: number): string {
  const name = baseSymbol(frames[at]?.symbol ?? "");
  // the primitive right above the waiter says what it waits on: "down_read", "mutex_lock"
  const wait = baseSymbol(frames[at - 1]?.symbol ?? "");
  const on = wait ? ` in ${wait}` : "";
  return `${name} is core kernel code blocked waiting${on}; the hung task is a waiter, and what it waits for (a lock holder, an I/O, a worker) is not on its stack`;
}

/**
 * Walks frames top down; returns the first frame that is not machinery, or the reason the
 * walk found none.
 */
export function walk(
  frames: readonly Frame[],
  report: Report,
  ipFrame: Frame | undefined,
): { pick?: Frame; rule: string; why?: string; skipped: string[] } {
  const lockup = LOCKUP_KINDS.includes(report.kind);
  const skipped: string[] = [];
  const first = frames[0]?.context ?? "task";
  for (const [i, frame] of frames.entries()) {
    const name = baseSymbol(frame.symbol ?? "");
    if (!name) continue;
    // the code an interrupt interrupted is not blamed for what happened inside it
    if (!lockup && frame.context !== first && first !== "task") {
      return {
        rule: "interrupt-boundary",
        why: `the event happened in ${first} context; below it is only the code the interrupt interrupted${skipped.length ? ` (above it: ${skipped.join("; ")})` : ""}`,
        skipped,
      };
    }
    const row = frameRule(name, { kind: report.kind, atIp: frame === ipFrame });
    if (!row) {
      // a release callback runs on behalf of the frame that dropped the last reference
      const caller = baseSymbol(frames[i + 1]?.symbol ?? "");
      if (!PUT.test(caller)) {
        if (report.kind === "hung-task" && !frames.some((f) => f.module))
          return { rule: "hung-task-core-waiter", why: coreWaiterWhy(frames, i), skipped };
        return { pick: frame, rule: "first-real-frame", skipped };
      }
      if (skipped.length < 3)
        skipped.push(describe(name, `a release callback called by ${caller}`));
      continue;
    }
    const verdict = row.verdict ?? "skip";
    if (verdict === "none") return { rule: row.id, why: describe(name, row.why), skipped };
    if (verdict === "boundary" && !lockup) {
      return {
        rule: "interrupt-boundary",
        why: `${name} is an interrupt entry; below it is only the code the interrupt interrupted${skipped.length ? ` (above it: ${skipped.join("; ")})` : ""}`,
        skipped,
      };
    }
    if (skipped.length < 3 && !skipped.some((s) => s.endsWith(row.why)))
      skipped.push(describe(name, row.why));
  }
  return { rule: "only-machinery", skipped };
}
