/**
 * Every rule has its module, its table test and its page in docs/rules (as ESLint checks
 * its core rules), and the registry stays sorted. Every table test goes through ruleTester,
 * which requires at least MIN_REAL_NEGATIVES negatives on real inputs as stored (issue 8).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../../../test/shared.js";
import { MIN_REAL_NEGATIVES } from "../rule-tester.js";
import { ruleOrder, rules } from "./index.js";

const dir = join(repoRoot, "src", "diagnose", "rules");

describe("rule files", () => {
  const ids = Object.keys(rules);
  it("the registry is sorted and every rule is printed in some order", () => {
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual([...ruleOrder].sort(), ids);
  });
  for (const id of ids) {
    it(`${id} has its module, test and documentation`, () => {
      assert.ok(existsSync(join(dir, `${id}.ts`)), `src/diagnose/rules/${id}.ts`);
      assert.ok(existsSync(join(dir, `${id}.test.ts`)), `src/diagnose/rules/${id}.test.ts`);
      assert.ok(existsSync(join(repoRoot, "docs", "rules", `${id}.md`)), `docs/rules/${id}.md`);
    });
    it(`${id}'s table test runs through ruleTester (≥ ${MIN_REAL_NEGATIVES} real negatives)`, () => {
      const test = readFileSync(join(dir, `${id}.test.ts`), "utf8");
      assert.ok(
        test.includes(`ruleTester("${id}"`),
        `${id}.test.ts does not call ruleTester("${id}", …)`,
      );
    });
  }
  it("no rule file or doc is left unregistered", () => {
    const modules = readdirSync(dir).filter(
      (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts",
    );
    assert.deepEqual(modules.map((f) => f.replace(/\.ts$/, "")).sort(), ids);
    const docs = readdirSync(join(repoRoot, "docs", "rules")).map((f) => f.replace(/\.md$/, ""));
    assert.deepEqual(docs.sort(), ids);
  });
});
