/**
 * The committed seed fixtures (testdata/seeds) stand for the seed write-ups in ../shared/seeds:
 * each is what scripts/make-seed-fixtures.ts makes of its original today, and crashlens finds
 * the same reports, with the same diagnosis, in both.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { seedFixture } from "../../scripts/make-seed-fixtures.js";
import { shared, testdata } from "../../test/shared.js";
import { analyzeText } from "../analyze.js";
import { diagnose } from "../diagnose/index.js";

describe("seed fixtures", () => {
  const dir = shared("seeds");
  const seeds = readdirSync(dir).filter((f) => /^\d{3}_/.test(f));
  it("there are five seeds", () => assert.equal(seeds.length, 5));
  for (const file of seeds) {
    const original = readFileSync(join(dir, file), "utf8");
    const fixture = readFileSync(testdata("seeds", `${file.slice(0, 3)}.txt`), "utf8");
    it(`${file}: the fixture is up to date, line for line`, () => {
      assert.equal(fixture, seedFixture(original));
      assert.equal(fixture.split("\n").length, original.split("\n").length);
    });
    it(`${file}: the same reports and diagnosis`, async () => {
      const [fromOriginal, fromFixture] = [analyzeText(original), analyzeText(fixture)];
      assert.ok(fromOriginal.reports.length > 0);
      const strip = (reports: unknown) =>
        JSON.parse(JSON.stringify(reports, (_, v) => (typeof v === "bigint" ? String(v) : v)));
      assert.deepEqual(
        strip(await diagnose(fromFixture)).map(withoutQuotes),
        strip(await diagnose(fromOriginal)).map(withoutQuotes),
      );
    });
  }
});

/** Evidence quotes the line's text, which differs where prose was reduced; numbers do not. */
function withoutQuotes(report: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(report, (key, value) =>
      key === "text" && typeof value === "string" ? "" : value,
    ),
  );
}
