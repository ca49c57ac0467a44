/**
 * Every real oops of the lab (../shared/lab/README.md) gets its expected kind and culprit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";
import { diagnose } from "./index.js";

const expected: Array<[run: string, kind: string, culprits: string[] | undefined]> = [
  ["nullread", "null-deref", ["buggy_read_status", "buggy_do_nullread"]],
  ["nullwrite", "null-deref", ["buggy_reset_counter"]],
  ["bugon", "kernel-bug", ["buggy_check_state"]],
  ["softlockup", "soft-lockup", ["buggy_poll_hw"]],
  ["hung", "hung-task", ["buggy_sync_with_worker", "buggy_worker_fn"]],
  ["warn", "warning", ["buggy_validate"]],
  ["gpf", "general-protection", ["buggy_next_val"]],
  ["listdel", "list-corruption", ["buggy_remove_item"]],
  ["divzero", "divide-error", ["buggy_average"]],
  ["panic", "panic", ["buggy_do_panic"]],
  // SysRq-c crashes on request: nobody is to blame (docs/culprit.md, deliberate-crash)
  ["sysrq", "panic", undefined],
  ["oom", "oom", undefined],
];

describe("lab oopses: kind and culprit", () => {
  for (const [run, kind, culprits] of expected) {
    it(`${run}: ${kind}, culprit ${culprits?.join(" / ") ?? "none"}`, async () => {
      const reports = await diagnose(analyzeText(input(`lab:${run}`)));
      for (const report of reports) {
        assert.equal(report.kind, kind);
        if (!culprits) {
          assert.equal(report.culprit, undefined);
          assert.ok(report.noCulprit, "a report without a culprit says why");
          if (run === "sysrq") assert.match(report.noCulprit ?? "", /deliberate/);
          continue;
        }
        assert.ok(
          culprits.includes(report.culprit?.symbol ?? ""),
          `culprit ${report.culprit?.symbol}`,
        );
        // the test module is the lab's out-of-tree suspect
        assert.equal(report.culprit?.module, "buggy");
      }
    });
  }
});
