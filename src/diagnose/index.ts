/**
 * @module diagnose
 * Runs every rule on every report of an input and attaches the diagnosis: the faulting
 * instruction, findings with evidence, the culprit and next steps. A finding without
 * evidence is refused.
 */
import type { ParseResult } from "../oops/parse.js";
import type { Report } from "../oops/report.js";
import { selectCulprit } from "./culprit/select.js";
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
): Promise<Diagnosis> {
  const instruction = await faultingInstruction(report);
  const findings = ruleOrder.flatMap((id) =>
    runRule(rules[id] as Rule, report, reports, lines, instruction),
  );
  const culprit = selectCulprit(report, findings);
  const diagnosis: Diagnosis = { findings, nextSteps: nextSteps(report, findings, culprit) };
  if (instruction) diagnosis.instruction = instruction;
  if (culprit) diagnosis.culprit = culprit;
  return diagnosis;
}

/** Diagnoses every report of a parse result, in place, and returns them. */
export async function diagnose(result: ParseResult): Promise<DiagnosedReport[]> {
  const out: DiagnosedReport[] = [];
  for (const report of result.reports) {
    const diagnosis = await diagnoseReport(report, result.reports, result.lines);
    out.push(Object.assign(report, diagnosis));
  }
  return out;
}
