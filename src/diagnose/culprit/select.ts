/**
 * @module diagnose/culprit/select
 * Picks the function to blame, or says why none can be named (docs/culprit.md). First the
 * report-level rules (report-rules.ts): OOM, consequences of an earlier report, the RCU
 * stall's blocked task, imprecise aborts, hung-task blockers and I/O waits, lockdep's
 * recursive locking, sleeping in atomic context. Then the walk: the frames of the event
 * (the RIP/pc, else the site the header names; the reliable trace; the link register when
 * the trace is missing; the callers an x86 unwinder printed with `?` under an exception),
 * read top down through the frame table (skip-frames.ts) up to the interrupt boundary.
 * Then the modifiers: a caller handed a core helper NULL, a crash session's `function`
 * member.
 */
import { baseSymbol } from "../../oops/fields/location.js";
import type { Frame, Report } from "../../oops/report.js";
import type { Finding } from "../types.js";
import { reportLines } from "./report-lines.js";
import { reportRules } from "./report-rules.js";
import { codeLoops, sampledAgain } from "./sample.js";
import { frameRule, LOCKUP_KINDS } from "./skip-frames.js";
import { eventFrames } from "./stack.js";
import {
  type CulpritContext,
  type CulpritVerdict,
  culpritOf,
  type SelectState,
  walk,
} from "./walk.js";

export type { CulpritContext, CulpritVerdict } from "./walk.js";

function noneFromWalk(
  w: { rule: string; why?: string; skipped: string[] },
  frames: readonly Frame[],
): string {
  if (w.why) return w.why;
  if (frames.length === 0)
    return "the text shows no RIP/pc, no site in the header and no reliable call trace";
  return `every frame the text shows is machinery, and the caller it acted for is not on the stack shown (${w.skipped.join("; ")})`;
}

export async function decideCulprit(
  report: Report,
  findings: readonly Finding[],
  ctx: CulpritContext = {},
): Promise<CulpritVerdict> {
  const state: SelectState = { report, findings, ctx, rows: reportLines(report, ctx.lines) };
  const early = reportRules(state);
  if (early) return early;

  const { frames, ipFrame, origin } = eventFrames(report, state.rows);
  const byId = (id: string) => findings.find((f) => f.id === id);

  // the rule says whether the callee is a core helper whose caller takes the blame
  const nullArgument = byId("null-argument");
  if (nullArgument?.data?.blameCaller && ipFrame) {
    const callee = baseSymbol(ipFrame.symbol ?? "");
    const caller = frames.find(
      (f) => f !== ipFrame && f.symbol !== undefined && f.symbol === nullArgument.data?.caller,
    );
    if (caller)
      return {
        rule: "null-argument-caller",
        culprit: culpritOf(
          caller,
          `it passed NULL to ${callee}, a core helper that trusts its argument`,
          state,
        ),
      };
  }

  const w = walk(frames, report, ipFrame);
  const pick = w.pick;
  if (!pick) return { rule: w.rule, noCulprit: noneFromWalk(w, frames) };
  const name = baseSymbol(pick.symbol ?? "");

  // one soft-lockup sample at straight-line code does not name the looping code
  if (report.kind === "soft-lockup" && pick === ipFrame && !sampledAgain(report, ctx.reports)) {
    // without Code: bytes (arm64 prints none) the sample is not contradicted
    if ((await codeLoops(report)) === false)
      return {
        rule: "single-sample",
        noCulprit: `the soft lockup is one watchdog sample, and the code at the RIP (${name}) shows no backward branch before it calls, returns or jumps away: nothing in this one snapshot shows a loop or what kept the CPU busy`,
      };
  }

  // a lockup sampled in the idle task's own path: the CPU was not getting to run
  if (LOCKUP_KINDS.includes(report.kind)) {
    const below = frames.slice(frames.indexOf(pick));
    const end = below.findIndex(
      (f) => frameRule(baseSymbol(f.symbol ?? ""))?.verdict === "boundary",
    );
    const idle = (end < 0 ? below : below.slice(0, end)).find(
      (f) => frameRule(baseSymbol(f.symbol ?? ""))?.id === "idle-loop",
    );
    if (idle)
      return {
        rule: "lockup-in-idle",
        noCulprit: `the sampled code (${name}) runs in the idle task, under ${baseSymbol(idle.symbol ?? "")}: the idle path has no long-running work, so a lockup there means the CPU or vCPU was not getting to run, not that a function looped`,
      };
  }

  // a `function` member in a structure crash printed names the object's owner
  const owner = report.session?.structs
    .flatMap((dump) =>
      Object.entries(dump.fields).map(([field, value]) => ({
        field,
        value,
        line: dump.fieldLines[field] ?? dump.line,
      })),
    )
    .find(({ field, value }) => /(?:^|\.)function$/.test(field) && /<[\w.]+>/.test(value));
  if (owner && byId("bug-assertion") && !pick.module) {
    const fn = /<([\w.]+?)(?:\+\d+)?>/.exec(owner.value)?.[1] as string;
    return {
      rule: "crash-session-owner",
      culprit: {
        symbol: fn,
        module: null,
        reason: `the object whose invariant ${name} found broken belongs to ${fn}: its \`${owner.field}\` member points there (crash session, line ${owner.line})`,
        line: owner.line,
      },
    };
  }

  const via = origin.get(pick);
  const where =
    via?.why ??
    (pick === ipFrame
      ? "the crash happened in it"
      : pick.line === report.header.line || (report.leadIn ?? []).some((l) => l.line === pick.line)
        ? "the report's header names it as the site of the check that fired"
        : `first function on the stack that is not generic machinery${w.skipped.length ? ` (${w.skipped[0]})` : ""}`);
  const culprit = culpritOf(pick, where, state);
  const verdict: CulpritVerdict = { rule: w.rule, culprit };
  if (via) verdict.via = via.id;
  else if (!pick.module && culprit.module) verdict.via = "module-from-lines";
  return verdict;
}
