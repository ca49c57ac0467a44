/**
 * OpenZFS/SPL assertions, on real reports from testdata/realworld (400: VERIFY3 with
 * "PANIC at", 402: VERIFY with SPL's old "SPLError … SPL PANIC"), and lines that only look
 * like them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { testdata } from "../../../test/shared.js";
import { analyzeText } from "../../analyze.js";
import { diagnose } from "../../diagnose/index.js";

const paste = (name: string) => readFileSync(testdata("realworld", name), "utf8");

describe("OpenZFS/SPL assertions", () => {
  it("VERIFY3 … failed, then PANIC at file:line:func(): a kernel-bug in that function", async () => {
    const [report] = await diagnose(analyzeText(paste("400-zfs-verify3-range-tree-alpine.txt")));
    assert.equal(report?.kind, "kernel-bug");
    assert.equal(report?.title, "VERIFY failed in zfs_range_tree_remove_impl");
    assert.deepEqual(
      { symbol: report?.culprit?.symbol, module: report?.culprit?.module },
      { symbol: "zfs_range_tree_remove_impl", module: "zfs" },
    );
    assert.equal(report?.task?.comm, "z_wr_iss");
  });

  it("VERIFY … failed, then SPLError … SPL PANIC (SPL before 0.7)", async () => {
    const [report] = await diagnose(
      analyzeText(paste("402-spl-verify-zap-leaf-pageout-arc-reclaim.txt")),
    );
    assert.equal(report?.title, "VERIFY failed in zap_leaf_pageout");
    assert.equal(report?.culprit?.symbol, "zap_leaf_pageout");
  });

  it("the PANIC line continues the VERIFY report instead of opening another", () => {
    const { reports } = analyzeText(paste("400-zfs-verify3-range-tree-alpine.txt"));
    assert.equal(reports.length, 1);
  });

  it("words that only contain VERIFY or ASSERT open nothing", () => {
    const text = [
      "[ 1.0] VERIFY_READ of user buffer",
      "[ 1.1] zfs: VERIFY the pool before import",
      "[ 1.2] ASSERTION: pool healthy",
      "[ 1.3] dm-verity: verify failed for block 7",
    ].join("\n");
    assert.deepEqual(analyzeText(text).reports, []);
  });
});
