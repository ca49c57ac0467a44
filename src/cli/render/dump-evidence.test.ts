/**
 * The dump-evidence lines under `vmcore:`: summaries start below the reporting machinery,
 * each line cites the shell command, and --verbose lists every frame.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DumpEvidence } from "../../diagnose/dump/evidence.js";
import { renderDumpEvidence } from "./dump-evidence.js";

// the lab nullread dump's evidence, as collectDumpEvidence gives it
const nullread: DumpEvidence = {
  panicTask: {
    pid: 102,
    comm: "sh",
    cpu: 1,
    task: "ffff8b9d02924180",
    command: "bt",
    frames: [
      "pvpanic_panic_notify [pvpanic]",
      "atomic_notifier_call_chain",
      "panic",
      "oops_end.cold",
      "page_fault_oops",
      "exc_page_fault",
      "asm_exc_page_fault",
      "[exception RIP: buggy_read_status+0x5 [buggy]]",
      "buggy_do_nullread [buggy]",
      "buggy_write [buggy]",
      "proc_reg_write",
    ],
  },
  objects: [
    {
      register: "r14",
      value: "ffff8b9d01b5a000",
      cache: "kmalloc-2k",
      objectStart: "ffff8b9d01b5a000",
      offset: 0,
      state: "allocated",
      command: "kmem ffff8b9d01b5a000",
    },
  ],
  warnings: ["an example warning"],
};

describe("dump evidence lines", () => {
  it("one screen: the stack from the interrupted instruction down, the slab object, commands cited", () => {
    const lines = renderDumpEvidence(nullread, false, "vmcore");
    assert.deepEqual(lines, [
      "dump: panic task sh (pid 102, CPU 1): [exception RIP: buggy_read_status+0x5 [buggy]] ← buggy_do_nullread [buggy] ← buggy_write [buggy] ← proc_reg_write [crashlens shell vmcore -c 'bt']",
      "dump: r14 = ffff8b9d01b5a000 points to the start of an allocated kmalloc-2k object [crashlens shell vmcore -c 'kmem ffff8b9d01b5a000']",
    ]);
  });
  it("--verbose: every frame, and what could not be read", () => {
    const lines = renderDumpEvidence(nullread, true, "vmcore");
    assert.equal(lines.filter((l) => l.startsWith("        ")).length, 11);
    assert.ok(lines.includes("dump: not read: an example warning"));
  });
  it("a hang with no task in D state says so", () => {
    const lines = renderDumpEvidence(
      { objects: [], warnings: [], blockedTasks: { command: "foreach UN bt", tasks: [] } },
      false,
      "v",
    );
    assert.deepEqual(lines, ["dump: no task is in D state [crashlens shell v -c 'foreach UN bt']"]);
  });
});
