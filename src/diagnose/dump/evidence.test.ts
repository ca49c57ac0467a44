/**
 * The dump's own evidence on the committed pruned hung dump (a real dump: two tasks in D
 * state, one on a mutex held by the other, which waits for a completion nobody signals).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { testdata } from "../../../test/shared.js";
import { Kernel } from "../../kernel/kernel.js";
import { collectDumpEvidence } from "./evidence.js";

describe("dump evidence on the pruned hung dump", () => {
  let kernel: Kernel;
  before(async () => {
    kernel = await Kernel.open(testdata("dumps", "hung-shell.kdump-zlib"));
  });
  after(() => kernel.close());

  it("a hung-task report: the panic task, and every D-state task with its stack", async () => {
    const evidence = await collectDumpEvidence(kernel, "hung-task");
    assert.deepEqual(evidence.warnings, []);
    assert.equal(evidence.panicTask?.comm, "khungtaskd");
    assert.equal(evidence.panicTask?.command, "bt");
    assert.equal(evidence.blockedTasks?.command, "foreach UN bt");
    const blocked = evidence.blockedTasks?.tasks ?? [];
    assert.deepEqual(
      blocked.map((t) => [t.pid, t.comm]),
      [
        [100, "sh"],
        [102, "buggy_worker"],
      ],
    );
    assert.ok(blocked[0]?.frames.includes("buggy_sync_with_worker [buggy]"));
    assert.ok(blocked[1]?.frames.includes("buggy_worker_fn [buggy]"));
    // khungtaskd panicked from its own loop: no exception, so nothing to look up in slabs
    assert.equal(evidence.exception, undefined);
    assert.deepEqual(evidence.objects, []);
    assert.equal(evidence.cpuStacks, undefined);
  });

  it("another kind: no D-state list; a lockup kind: every CPU's stack", async () => {
    const oops = await collectDumpEvidence(kernel, "null-deref");
    assert.equal(oops.blockedTasks, undefined);
    assert.equal(oops.cpuStacks, undefined);
    const lockup = await collectDumpEvidence(kernel, "soft-lockup");
    assert.deepEqual(
      lockup.cpuStacks?.stacks.map((s) => [s.cpu, s.comm]),
      [
        [0, "swapper/0"],
        [1, "khungtaskd"],
      ],
    );
    assert.ok(
      lockup.cpuStacks?.stacks[0]?.frames.includes("[exception RIP: native_safe_halt+0xb]"),
    );
  });
});
