/**
 * @module diagnose/culprit/select
 * Picks the function to blame: the first frame that is not machinery, then the caller when a
 * core helper was handed a NULL argument, then an out-of-tree module on the stack below core
 * code; for hangs after a lockup, the lockup's culprit; for OOM kills, nobody.
 */
import { baseSymbol } from "../../oops/fields/location.js";
import type { Frame, Report } from "../../oops/report.js";
import type { Culprit, Finding } from "../types.js";
import { isSkippedFrame } from "./skip-frames.js";

/** Functions that crash on purpose when asked to. */
const DELIBERATE = /^(?:sysrq_handle_crash|lkdtm_\w+)$/;

function asFrame(report: Report): Frame | undefined {
  const ip = report.ip;
  if (!ip?.symbol) return undefined;
  return { ...ip, reliable: true, context: report.trace[0]?.context ?? "task", line: ip.line };
}

function culpritOf(frame: Frame, reason: string): Culprit {
  const out: Culprit = {
    symbol: baseSymbol(frame.symbol ?? ""),
    module: frame.module ?? null,
    reason,
  };
  if (frame.line) out.line = frame.line;
  return out;
}

export function selectCulprit(report: Report, findings: readonly Finding[]): Culprit | undefined {
  const byId = (id: string) => findings.find((f) => f.id === id);
  if (report.kind === "oom") return undefined;

  const consequence = byId("lockup-consequence");
  if (consequence?.data?.causeSymbol) {
    return {
      symbol: baseSymbol(String(consequence.data.causeSymbol)),
      module: (consequence.data.causeModule as string | null) ?? null,
      reason: `this report is a consequence of the lockup at line ${consequence.data.causeLine}`,
    };
  }

  const frames = [asFrame(report), ...report.trace.filter((f) => f.reliable)].filter(
    (f): f is Frame => !!f,
  );
  const pick = frames.find((f) => f.symbol && !isSkippedFrame(baseSymbol(f.symbol)));
  if (!pick) return undefined;
  const name = baseSymbol(pick.symbol ?? "");

  if (DELIBERATE.test(name))
    return culpritOf(pick, "a deliberate crash, requested by an administrator or test");

  const nullArgument = byId("null-argument");
  // the rule says whether the callee is a core helper whose caller takes the blame
  if (nullArgument?.data?.blameCaller && pick.symbol === report.ip?.symbol) {
    const caller = frames.find((f) => f.symbol === nullArgument.data?.caller);
    if (caller)
      return culpritOf(caller, `it passed NULL to ${name}, a core helper that trusts its argument`);
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
      symbol: fn,
      module: null,
      reason: `the object whose invariant ${name} found broken belongs to ${fn}: its \`${owner.field}\` member points there (crash session, line ${owner.line})`,
      line: owner.line,
    };
  }

  const suspect = findings.find((f) => f.id === "suspect-module" && f.data?.onStack);
  if (suspect && !pick.module) {
    const moduleFrame = frames.find((f) => f.module === suspect.data?.module);
    if (moduleFrame) {
      return culpritOf(
        moduleFrame,
        `out-of-tree module ${moduleFrame.module} is on the stack below the core code that crashed`,
      );
    }
  }
  const where =
    pick === frames[0] && report.ip
      ? "the crash happened in it"
      : "first function on the stack that is not generic machinery";
  return culpritOf(pick, where);
}
