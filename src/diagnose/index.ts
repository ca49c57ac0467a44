/**
 * @module diagnose
 * Runs every rule on every report of an input and attaches the diagnosis: the faulting
 * instruction, findings with evidence, the culprit and next steps. A finding without
 * evidence is refused.
 */
import { knownBugsFor } from "../knowledge/known-bugs.js";
import type { ParseResult } from "../oops/parse.js";
import type { Report } from "../oops/report.js";
import { type CulpritVerdict, decideCulprit } from "./culprit/select.js";
import { faultingInstruction } from "./instruction.js";
import { nextSteps } from "./next-steps.js";
import { ruleOrder, rules } from "./rules/index.js";
import type { Diagnosis, Evidence, Finding, Instruction, Rule, RuleContext } from "./types.js";

export type { Culprit, Diagnosis, Evidence, Finding, Instruction, Rule } from "./types.js";

export type DiagnosedReport = Report & Diagnosis;

export function evidenceFor(lines: ReadonlyMap<number, string>) {
  return (line: number | undefined): Evidence[] => {
    if (line === undefined) return [];
    const text = lines.get(line);
    return text === undefined ? [] : [{ line, text }];
  };
}

/** Runs one rule; exposed for rule tests. */
export function runRule(
  rule: Rule,
  report: Report,
  reports: readonly Report[],
  lines: ReadonlyMap<number, string>,
  instruction?: Instruction,
): Finding[] {
  const found: Finding[] = [];
  const evidence = evidenceFor(lines);
  const ctx: RuleContext = {
    report,
    reports,
    evidence,
    finding(summary, ev, data) {
      // evidence or silence: a claim that cannot point at the input is not made
      const unique = ev.filter((e, i) => ev.findIndex((o) => o.line === e.line) === i);
      if (unique.length === 0) return;
      const finding: Finding = { id: rule.meta.id, summary, evidence: unique };
      if (data) finding.data = data;
      found.push(finding);
    },
  };
  if (instruction) (ctx as { instruction?: Instruction }).instruction = instruction;
  rule.run(ctx);
  return found;
}

export async function diagnoseReport(
  report: Report,
  reports: readonly Report[],
  lines: ReadonlyMap<number, string>,
  /** culprit verdicts already reached for earlier reports of the same input */
  earlier?: ReadonlyMap<Report, CulpritVerdict>,
): Promise<Diagnosis> {
  const instruction = await faultingInstruction(report);
  const findings = ruleOrder.flatMap((id) =>
    runRule(rules[id] as Rule, report, reports, lines, instruction),
  );
  const verdict = await decideCulprit(report, findings, {
    lines,
    reports,
    earlier: (r) => earlier?.get(r),
  });
  verdicts.set(report, verdict);
  const culprit = verdict.culprit;
  const diagnosis: Diagnosis = { findings, nextSteps: nextSteps(report, findings, culprit) };
  if (instruction) diagnosis.instruction = instruction;
  if (culprit) diagnosis.culprit = culprit;
  else if (verdict.noCulprit) diagnosis.noCulprit = verdict.noCulprit;
  return diagnosis;
}

/** The culprit verdict of each diagnosed report (rule id and reason), for tests and tools. */
const verdicts = new WeakMap<Report, CulpritVerdict>();
export function culpritVerdictOf(report: Report): CulpritVerdict | undefined {
  return verdicts.get(report);
}

/** Diagnoses every report of a parse result, in place, and returns them. */
export async function diagnose(result: ParseResult): Promise<DiagnosedReport[]> {
  const out: DiagnosedReport[] = [];
  const earlier = new Map<Report, CulpritVerdict>();
  for (const report of result.reports) {
    const diagnosis = await diagnoseReport(report, result.reports, result.lines, earlier);
    const verdict = verdicts.get(report);
    if (verdict) earlier.set(report, verdict);
    out.push(Object.assign(report, diagnosis));
  }
  // the index is read on first use, only when a report names a function it could know (the
  // code is small and bundled with this module: a dynamic import would cost more than it)
  for (const report of out) report.knownBugs = knownBugsFor(report);
  return out;
}
