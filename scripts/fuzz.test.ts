/**
 * Keeps the fuzz targets working: each runs a few hundred inputs (fewer for dumps) from a
 * fixed seed through the same property `npm run fuzz` checks, in this process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCampaign } from "./fuzz/campaign.js";
import { loadTarget, targetNames } from "./fuzz/targets/index.js";

const saveDir = mkdtempSync(join(tmpdir(), "crashlens-fuzz-test-"));
after(() => rmSync(saveDir, { recursive: true, force: true }));

for (const name of Object.keys(targetNames)) {
  test(`fuzz target ${name} holds on a few hundred inputs`, async () => {
    const target = await loadTarget(name);
    const runs = target.smokeRuns ?? 300;
    const result = await runCampaign(target, { seed: 42, numRuns: runs, saveDir });
    assert.equal(result.failed, false, result.error);
    assert.equal(result.runs, runs);
  });
}
