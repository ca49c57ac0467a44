/**
 * @module diagnose/culprit/culprit-tester
 * Table tests for culprit rules, in the manner of rule-tester.ts: cases where the rule must
 * decide (with the culprit it names, or the reason it gives for none) and cases, from real
 * inputs, where it must not. The verdict's `rule` (and `via`, for the stack rules) says
 * which rule decided.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../../test/inputs.js";
import { analyzeText } from "../../analyze.js";
import { culpritVerdictOf, type DiagnosedReport, diagnose } from "../index.js";
import { MIN_REAL_NEGATIVES } from "../rule-tester.js";
import type { CulpritVerdict } from "./select.js";

export interface CulpritCase {
  /** "realworld:116", "seed:003", "lab:sysrq", or the text itself */
  input: string;
  /** which report of the input (default: the first) */
  report?: number;
  /** why this case, in a few words */
  name: string;
}

export interface FiresCase extends CulpritCase {
  /** "symbol [module]" or "symbol" the rule names; omit for a "none" verdict */
  culprit?: string;
  /** what the reason for "none" must say */
  none?: RegExp;
}

const cache = new Map<string, Promise<DiagnosedReport[]>>();

function reportsOf(source: string): Promise<DiagnosedReport[]> {
  let hit = cache.get(source);
  if (!hit) {
    const text = /^(?:realworld|seed|lab):[\w-]+$/.test(source) ? input(source) : source;
    hit = diagnose(analyzeText(text));
    cache.set(source, hit);
  }
  return hit;
}

async function verdictOf(
  c: CulpritCase,
): Promise<{ report: DiagnosedReport; verdict: CulpritVerdict }> {
  const reports = await reportsOf(c.input);
  const report = reports[c.report ?? 0];
  assert.ok(report, `${c.input}: no report #${c.report ?? 0}`);
  const verdict = culpritVerdictOf(report);
  assert.ok(verdict, `${c.input}: no culprit verdict recorded`);
  return { report, verdict };
}

/** How a case names its input in a test title: the short name, or "inline text". */
const label = (c: CulpritCase) =>
  `${/^(?:realworld|seed|lab):[\w-]+$/.test(c.input) ? c.input : "inline text"}${c.report ? `#${c.report}` : ""}`;

const decidedBy = (v: CulpritVerdict) => [v.rule, v.via].filter(Boolean) as string[];
const named = (v: CulpritVerdict) =>
  v.culprit ? `${v.culprit.symbol}${v.culprit.module ? ` [${v.culprit.module}]` : ""}` : "none";

/** `rule` is a verdict rule id or a stack rule id (`via`). */
export function culpritTester(
  rule: string,
  cases: { fires: FiresCase[]; doesNotFire: CulpritCase[] },
): void {
  describe(`culprit rule ${rule}`, () => {
    it("has cases both ways", () => {
      assert.ok(cases.fires.length > 0, "a rule needs cases where it decides");
      assert.ok(cases.doesNotFire.length > 0, "a rule needs cases where it must not decide");
    });
    it(`has at least ${MIN_REAL_NEGATIVES} cases on real inputs where it must not decide`, () => {
      const real = cases.doesNotFire.filter((c) => /^(?:realworld|seed|lab):[\w-]+$/.test(c.input));
      assert.ok(
        real.length >= MIN_REAL_NEGATIVES,
        `only ${real.length}: ${real.map((c) => c.input).join(", ")}`,
      );
    });
    for (const c of cases.fires) {
      it(`decides: ${c.name} (${label(c)})`, async () => {
        const { report, verdict } = await verdictOf(c);
        assert.ok(
          decidedBy(verdict).includes(rule),
          `decided by ${decidedBy(verdict).join("/")}: ${named(verdict)} ${verdict.noCulprit ?? ""}`,
        );
        if (c.culprit !== undefined) {
          assert.equal(named(verdict), c.culprit);
          assert.equal(report.culprit?.symbol, verdict.culprit?.symbol);
          assert.ok(verdict.culprit?.reason, "a culprit says why");
        } else {
          assert.equal(verdict.culprit, undefined, `named ${named(verdict)}`);
          assert.equal(report.culprit, undefined);
          assert.equal(report.noCulprit, verdict.noCulprit, "the diagnosis carries the reason");
          if (c.none) assert.match(verdict.noCulprit ?? "", c.none);
        }
      });
    }
    for (const c of cases.doesNotFire) {
      it(`leaves alone: ${c.name} (${label(c)})`, async () => {
        const { verdict } = await verdictOf(c);
        assert.ok(!decidedBy(verdict).includes(rule), `decided by ${rule}: ${named(verdict)}`);
      });
    }
  });
}
