/**
 * @module diagnose/rule-tester
 * Table tests for diagnosis rules, in the manner of ESLint's RuleTester: `valid` inputs on
 * which the rule finds nothing, `invalid` ones on which it must find what the case says,
 * with evidence that points inside the input. The report is frozen so a rule that writes
 * to it fails; duplicate case names are refused.
 *
 * Every rule needs at least three negatives from real inputs (issue 8): `valid` cases whose
 * input is a real-world paste, a seed or a lab log exactly as stored (`real: "realworld:404"`,
 * or `input: input("realworld:404")`), on which the rule finds nothing, or nothing that
 * matches `notSummary` (a claim it must not make there). Edited copies do not count.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { input as realInput } from "../../test/inputs.js";
import { testdata } from "../../test/shared.js";
import { analyzeText } from "../analyze.js";
import type { Report } from "../oops/report.js";
import { runRule } from "./index.js";
import { faultingInstruction } from "./instruction.js";
import { rules } from "./rules/index.js";
import type { Finding, Rule } from "./types.js";

export interface RuleCase {
  name: string;
  /** the whole input text */
  input?: string;
  /** a real input as it is, by its short name ("realworld:404", "seed:002", "lab:hung") */
  real?: string;
  /** which report of the input the rule runs on (default: the first) */
  report?: number;
  /** or: the report that spans the first input line containing this text */
  at?: string;
}

export interface ValidCase extends RuleCase {
  /** the rule may find something, but nothing that matches this (a claim it must not make) */
  notSummary?: RegExp;
}

/** How many negatives from real inputs each rule's table must have. */
export const MIN_REAL_NEGATIVES = 3;

let realTexts: Map<string, string> | undefined;

/** The short name of a real input whose text this is, exactly; undefined for edited ones. */
export function realInputName(text: string): string | undefined {
  if (!realTexts) {
    realTexts = new Map();
    const names = [
      ...readdirSync(testdata("realworld"))
        .filter((f) => /^\d+-.*\.txt$/.test(f))
        .map((f) => `realworld:${f.split("-")[0]}`),
      ...readdirSync(testdata("seeds"))
        .filter((f) => f.endsWith(".txt"))
        .map((f) => `seed:${f.replace(/\.txt$/, "")}`),
      ...readdirSync(testdata("oops", "x86_64"))
        .filter((f) => /^lab-.*\.txt$/.test(f))
        .map((f) => `lab:${f.replace(/^lab-|\.txt$/g, "")}`),
    ];
    for (const name of names) realTexts.set(realInput(name), name);
  }
  return realTexts.get(text);
}

function inputOf(c: RuleCase): string {
  if ((c.input === undefined) === (c.real === undefined))
    throw new Error(`${c.name}: give exactly one of input and real`);
  return c.real !== undefined ? realInput(c.real) : (c.input as string);
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
  const text = inputOf(c);
  const result = analyzeText(text);
  const raw = text.replace(/\r/g, "").split("\n");
  const atLine = c.at === undefined ? -1 : raw.findIndex((l) => l.includes(c.at as string)) + 1;
  const report =
    c.at === undefined
      ? result.reports[c.report ?? 0]
      : result.reports.find((r) => r.lines.start <= atLine && atLine <= r.lines.end);
  assert.ok(report, `${c.name}: the input holds no report ${c.at ?? `#${c.report ?? 0}`}`);
  const instruction = await faultingInstruction(report);
  deepFreeze(result.reports);
  const found = runRule(rule, report, result.reports, result.lines, instruction);
  return { found, reports: result.reports, lines: raw };
}

export function ruleTester(
  id: string,
  cases: { valid: ValidCase[]; invalid: InvalidCase[] },
): void {
  const rule = rules[id];
  const names = [...cases.valid, ...cases.invalid].map((c) => c.name);
  describe(`rule ${id}`, () => {
    it("is registered and has no duplicate cases", () => {
      assert.ok(rule, `rule ${id} is not in rules/index.ts`);
      assert.equal(rule?.meta.id, id);
      assert.equal(new Set(names).size, names.length, "duplicate case names");
      assert.ok(cases.invalid.length > 0, "a rule needs cases where it finds something");
    });
    it(`has at least ${MIN_REAL_NEGATIVES} negatives from real inputs`, () => {
      const real = cases.valid.map((c) => realInputName(inputOf(c))).filter((n) => n !== undefined);
      assert.ok(
        real.length >= MIN_REAL_NEGATIVES,
        `only ${real.length} valid cases on real inputs as stored: ${real.join(", ")}`,
      );
    });
    for (const c of cases.valid) {
      const what = c.notSummary ? `does not claim ${c.notSummary}` : "finds nothing";
      it(`${what}: ${c.name}`, async () => {
        const { found } = await findings(rule as Rule, c);
        const test = c.notSummary;
        assert.deepEqual(
          found.map((f) => f.summary).filter((s) => !test || test.test(s)),
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
