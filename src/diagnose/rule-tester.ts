/**
 * @module diagnose/rule-tester
 * Table tests for diagnosis rules, in the manner of ESLint's RuleTester: `valid` inputs on
 * which the rule finds nothing, `invalid` ones on which it must find what the case says,
 * with evidence that points inside the input. The report is frozen so a rule that writes
 * to it fails; duplicate case names are refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeText } from "../analyze.js";
import type { Report } from "../oops/report.js";
import { runRule } from "./index.js";
import { faultingInstruction } from "./instruction.js";
import { rules } from "./rules/index.js";
import type { Finding, Rule } from "./types.js";

export interface RuleCase {
  name: string;
  /** the whole input text */
  input: string;
  /** which report of the input the rule runs on (default: the first) */
  report?: number;
}

export interface InvalidCase extends RuleCase {
  summary: RegExp;
  /** text that one evidence line must contain */
  evidence?: string | RegExp;
  /** expected values among the finding's data */
  data?: Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as object)) deepFreeze(inner);
  }
  return value;
}

async function findings(
  rule: Rule,
  c: RuleCase,
): Promise<{ found: Finding[]; reports: Report[]; lines: string[] }> {
  const result = analyzeText(c.input);
  const report = result.reports[c.report ?? 0];
  assert.ok(report, `${c.name}: the input holds no report #${c.report ?? 0}`);
  const instruction = await faultingInstruction(report);
  deepFreeze(result.reports);
  const found = runRule(rule, report, result.reports, result.lines, instruction);
  return { found, reports: result.reports, lines: c.input.replace(/\r/g, "").split("\n") };
}

export function ruleTester(id: string, cases: { valid: RuleCase[]; invalid: InvalidCase[] }): void {
  const rule = rules[id];
  const names = [...cases.valid, ...cases.invalid].map((c) => c.name);
  describe(`rule ${id}`, () => {
    it("is registered and has no duplicate cases", () => {
      assert.ok(rule, `rule ${id} is not in rules/index.ts`);
      assert.equal(rule?.meta.id, id);
      assert.equal(new Set(names).size, names.length, "duplicate case names");
      assert.ok(cases.invalid.length > 0, "a rule needs cases where it finds something");
    });
    for (const c of cases.valid) {
      it(`finds nothing: ${c.name}`, async () => {
        const { found } = await findings(rule as Rule, c);
        assert.deepEqual(
          found.map((f) => f.summary),
          [],
        );
      });
    }
    for (const c of cases.invalid) {
      it(`finds: ${c.name}`, async () => {
        const { found, lines } = await findings(rule as Rule, c);
        const hit = found.find((f) => c.summary.test(f.summary));
        assert.ok(
          hit,
          `no finding matches ${c.summary}; got:\n${found.map((f) => f.summary).join("\n")}`,
        );
        assert.equal(hit.id, id);
        for (const e of hit.evidence) {
          const raw = lines[e.line - 1] ?? "";
          assert.ok(
            raw.includes(e.text.trim()),
            `evidence line ${e.line} is not the input's: ${e.text}`,
          );
        }
        if (c.evidence) {
          const test = c.evidence;
          assert.ok(
            hit.evidence.some((e) =>
              typeof test === "string" ? e.text.includes(test) : test.test(e.text),
            ),
            `no evidence line contains ${test}`,
          );
        }
        for (const [key, value] of Object.entries(c.data ?? {})) {
          assert.deepEqual(hit.data?.[key], value, `data.${key}`);
        }
      });
    }
  });
}
