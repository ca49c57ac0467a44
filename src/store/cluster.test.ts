/**
 * The clustering key on real inputs: the lab runs of both architectures, the seeds and the
 * real-world cases, analysed by crashlens itself.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { clusterFacts } from "./cluster.js";
import { contentHash } from "./common.js";
import { reportsOfText } from "./ingest.js";
import { type AnalysedInput, analysedInputs, reportsOf } from "./inputs.case.js";
import type { IngestedReport } from "./types.js";

const keyOf = (r: IngestedReport) => clusterFacts(r.report, contentHash(r)).key;
const keysOf = (rs: readonly IngestedReport[]) => rs.map(keyOf);

describe("store/cluster: the key on real inputs", () => {
  let inputs: AnalysedInput[];
  before(async () => {
    inputs = await analysedInputs();
  });

  it("the two hung-task reports of one run are two clusters (two tasks, two functions)", () => {
    const hung = reportsOf(inputs, "lab/x86_64/hung");
    assert.equal(hung.length, 2);
    const [a, b] = keysOf(hung);
    assert.notEqual(a, b);
    assert.deepEqual(
      hung.map((r) => clusterFacts(r.report, "").function),
      ["buggy_sync_with_worker", "buggy_worker_fn"],
    );
  });

  it("one lab bug on x86-64 and arm64 is one cluster, though each build inlined another caller", () => {
    for (const run of ["nullread", "bugon", "hung", "softlockup"]) {
      const x86 = keysOf(reportsOf(inputs, `lab/x86_64/${run}`));
      const arm = keysOf(reportsOf(inputs, `lab/arm64/${run}`));
      assert.deepEqual(arm, x86, run);
    }
    // the callers differ: that is why they are a cluster's paths, not its key
    const path = (arch: string) =>
      clusterFacts(reportsOf(inputs, `lab/${arch}/nullread`)[0]?.report as never, "").path;
    assert.deepEqual(path("x86_64"), [
      "buggy_do_nullread [buggy]",
      "buggy_write [buggy]",
      "proc_reg_write",
    ]);
    assert.deepEqual(path("arm64"), [
      "buggy_dispatch [buggy]",
      "buggy_write [buggy]",
      "proc_reg_write",
    ]);
  });

  it("different lab bugs are different clusters", () => {
    const runs = [
      "nullread",
      "nullwrite",
      "bugon",
      "gpf",
      "divzero",
      "listdel",
      "warn",
      "softlockup",
    ];
    const keys = runs.map((run) => keysOf(reportsOf(inputs, `lab/x86_64/${run}`))[0]);
    assert.equal(new Set(keys).size, runs.length);
  });

  it("one soft lockup sampled twice (seed 003: other callers each time) is one cluster", () => {
    const reports = reportsOf(inputs, "seed/003");
    const lockups = keysOf(reports.filter((r) => r.report.kind === "soft-lockup"));
    assert.equal(lockups.length, 2);
    assert.equal(lockups[0], lockups[1]);
    // the hung task between them (a consequence, in synchronize_rcu) is a cluster of its own
    assert.equal(new Set(keysOf(reports)).size, 2);
  });

  it("the same vmnet bug posted twice (real-world 411, 412) is one cluster", () => {
    assert.deepEqual(
      keysOf(reportsOf(inputs, "realworld/411")),
      keysOf(reportsOf(inputs, "realworld/412")),
    );
  });

  it("different bugs from a `kernel BUG at` header with the title `kernel BUG in corrupted` are apart", () => {
    const cases = ["realworld/101", "realworld/334"];
    const reports = cases.map((c) =>
      reportsOf(inputs, c).find((r) => r.report.header.text.includes("kernel BUG at")),
    );
    for (const r of reports) assert.equal(r?.report.title, "kernel BUG in corrupted");
    const facts = reports.map((r) => clusterFacts(r?.report as never, "x"));
    assert.deepEqual(
      facts.map((f) => f.function),
      ["vfio_dma_do_unmap", "xen_leave_lazy_mmu"],
    );
    assert.notEqual(facts[0]?.key, facts[1]?.key);
  });

  it("five s390 bugs sharing one title are five clusters", () => {
    const title = "Unable to handle kernel pointer dereference in virtual kernel address space";
    const reports = inputs
      .filter((i) => /^realworld\/10[2-6]-/.test(i.name))
      .flatMap((i) => i.reports);
    assert.equal(reports.length, 5);
    for (const r of reports) assert.equal(r.report.title, title);
    assert.equal(new Set(keysOf(reports)).size, 5);
  });

  it("reports with no frame and no function in the title each stand alone", () => {
    const lone = inputs
      .flatMap((i) => i.reports)
      .filter((r) => / in corrupted$/.test(r.report.title))
      .filter((r) => clusterFacts(r.report, "").function === null);
    assert.ok(lone.length > 30, `${lone.length}`);
    assert.equal(new Set(keysOf(lone)).size, lone.length);
  });

  // Version 2 of the rules, from sending every committed input through `crashlens submit` and
  // reading the clusters; each case is a real log and the same log as another kernel or
  // another mail client would print it.
  const keysOfText = async (text: string) =>
    keysOf(await reportsOfText({ text, host: "judged", receivedAt: "2026-11-01T00:00:00Z" }));
  const textOf = (name: string) => {
    const input = inputs.find((i) => i.name.startsWith(name));
    assert.ok(input, name);
    return input.text;
  };

  it("a tab-indented mail and the same log unindented are one cluster", async () => {
    const indented = textOf("realworld/308");
    assert.match(
      reportsOf(inputs, "realworld/308")[0]?.report.title ?? "",
      / in tegra_qspi_isr_thread$/,
    );
    assert.deepEqual(await keysOfText(indented.replace(/^\t/gm, "")), await keysOfText(indented));
  });

  it("a pre-3.x `WARNING: at file:line func()` and the modern header are one cluster", async () => {
    const old = textOf("realworld/204");
    const header = "WARNING: at lib/dma-debug.c:800 check_unmap+0x9c/0x67f()";
    assert.ok(old.includes(header));
    const modern = old.replace(
      header,
      "WARNING: CPU: 0 PID: 202 at kernel/dma/debug.c:800 check_unmap+0x9c/0x67f",
    );
    assert.deepEqual(await keysOfText(modern), await keysOfText(old));
  });

  it("an ARM32 WARNING is keyed on where it was raised, not on the stack printer", async () => {
    const text = textOf("realworld/118");
    const facts = reportsOf(inputs, "realworld/118").map((r) => clusterFacts(r.report, "x"));
    assert.deepEqual(
      facts.map((f) => f.function),
      // do_exit is generic (every dying task passes it): the stack names the bug
      ["__update_extent_tree_range", "__update_extent_tree_range"],
    );
    // another warning site in the same log shape is another cluster
    const other = text.replace(
      "at kernel/exit.c:812 do_exit+0x75c/0x8a4",
      "at net/sched/sch_generic.c:525 dev_watchdog+0x1f8/0x1fc",
    );
    const [bugA, warnA] = await keysOfText(text);
    const [bugB, warnB] = await keysOfText(other);
    assert.equal(bugA, bugB);
    assert.notEqual(warnA, warnB);
  });

  it("three RCU stalls printed without a stack, with one culprit (real-world 309), are one cluster", () => {
    const stalls = reportsOf(inputs, "realworld/309").filter((r) => r.report.kind === "rcu-stall");
    assert.equal(stalls.length, 3);
    assert.equal(new Set(keysOf(stalls)).size, 1);
    assert.equal(clusterFacts(stalls[0]?.report as never, "x").module, "lan1qtsn");
  });

  it("the key is stable: computing it twice gives the same", () => {
    const all = inputs.flatMap((i) => i.reports);
    assert.deepEqual(keysOf(all), keysOf(all));
  });
});
