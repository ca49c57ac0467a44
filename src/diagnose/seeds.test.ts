/**
 * The conclusions of the five seed write-ups, reached automatically: each structured fact
 * the engineers established by hand, checked on the write-ups as they are.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";
import { type DiagnosedReport, diagnose } from "./index.js";

async function diagnosed(name: string): Promise<DiagnosedReport[]> {
  return diagnose(analyzeText(input(name)));
}

const finding = (report: DiagnosedReport | undefined, id: string) =>
  report?.findings.find((f) => f.id === id);

describe("seed 000: NULL dereference at offset 0x140 through r15 in a timer interrupt", async () => {
  const [report] = await diagnosed("seed:000");
  it("reads the instruction and its source line from crash's dis -rl", () => {
    assert.equal(report?.instruction?.text, "mov 0x140(%r15),%ecx");
    assert.equal(report?.instruction?.intel, "mov ecx,dword ptr [r15+0x140]");
    assert.equal(report?.instruction?.source, "kernel/posix-cpu-timers.c:1292");
    assert.equal(report?.instruction?.base, "r15");
    assert.equal(report?.instruction?.displacement, 0x140);
  });
  it("names r15 (0 in the exception frame) and offset 0x140", () => {
    assert.deepEqual(finding(report, "null-deref")?.data, {
      register: "r15",
      registerValue: "0x0",
      offset: "0x140",
      access: "read",
    });
  });
  it("sees the IRQ over xfs_file_aio_write / sys_write", () => {
    const interrupted = finding(report, "interrupted-context")?.data?.interrupted as string[];
    assert.equal(finding(report, "interrupted-context")?.data?.context, "irq");
    assert.ok(interrupted.includes("xfs_file_aio_write"));
    assert.ok(interrupted.includes("sys_write"));
  });
  it("does not blame a caller: r15 is loaded inside the function", () => {
    assert.equal(finding(report, "null-argument"), undefined);
    assert.equal(report?.culprit?.symbol, "run_posix_cpu_timers");
  });
});

describe("seed 001: ceph_aio_read passes NULL to __free_pages", async () => {
  const [report] = await diagnosed("seed:001");
  it("decodes lock decl 0x1c(%rdi) with RDI = 0", () => {
    assert.equal(report?.instruction?.text, "lock decl 0x1c(%rdi)");
    assert.equal(report?.registers.rdi, "0x0");
  });
  it("finds the 1st argument of __free_pages NULL and blames the caller in module ceph", () => {
    assert.equal(finding(report, "null-argument")?.data?.argument, 1);
    assert.deepEqual([report?.culprit?.symbol, report?.culprit?.module], ["ceph_aio_read", "ceph"]);
    assert.ok(
      report?.nextSteps.some((s) => s.includes("ceph_aio_read") && s.includes("3.10.0-514")),
    );
  });
});

describe("seed 002: a write through NULL prev in skb_entail", async () => {
  const [report] = await diagnosed("seed:002");
  it("decodes mov %rsi,(%rax) from the Code: line: a write through rax = 0", () => {
    assert.equal(report?.instruction?.from, "code");
    assert.equal(report?.instruction?.text, "mov %rsi,(%rax)");
    assert.equal(report?.instruction?.access, "write");
    assert.equal(report?.instruction?.base, "rax");
    assert.equal(report?.registers.rax, "0x0");
  });
  it("reads error code 0002 as write / not present / kernel", () => {
    assert.deepEqual(finding(report, "error-code")?.data, {
      value: 2,
      write: true,
      present: false,
      user: false,
    });
  });
  it("notes the OpenStack Nova guest and the crash session's NULL prev", () => {
    assert.match(finding(report, "virtualized")?.summary ?? "", /OpenStack Nova/);
    const session = report?.findings.filter((f) => f.id === "crash-session-evidence") ?? [];
    assert.ok(session.some((f) => /sk_write_queue.*prev = 0x0/.test(f.summary)));
  });
  it("blames skb_entail", () => {
    assert.equal(report?.culprit?.symbol, "skb_entail");
  });
});

describe("seed 003: an out-of-tree module's soft lockup, and its victims", async () => {
  const reports = await diagnosed("seed:003");
  it("blames get_process_name in dirpro (U) for both lockups, one title", () => {
    for (const r of [reports[0], reports[2]]) {
      assert.deepEqual([r?.culprit?.symbol, r?.culprit?.module], ["get_process_name", "dirpro"]);
      const suspect = r?.findings.find(
        (f) => f.id === "suspect-module" && f.data?.module === "dirpro",
      );
      assert.equal(suspect?.data?.flags, "U");
    }
    assert.equal(reports[0]?.title, reports[2]?.title);
  });
  it("links crond's hung task to the CPU#1 soft lockup", () => {
    const link = finding(reports[1], "lockup-consequence");
    assert.equal(link?.data?.causeLine, reports[0]?.header.line);
    assert.equal(link?.data?.wait, "synchronize_sched");
    assert.deepEqual(
      [reports[1]?.culprit?.symbol, reports[1]?.culprit?.module],
      ["get_process_name", "dirpro"],
    );
  });
});

describe("seed 004: the timer BUG_ON in cascade", async () => {
  const [report] = await diagnosed("seed:004");
  it("explains the assertion at kernel/timer.c:1105", () => {
    const bug = finding(report, "bug-assertion");
    assert.deepEqual(
      [bug?.data?.file, bug?.data?.line, bug?.data?.function],
      ["kernel/timer.c", 1105, "cascade"],
    );
    assert.match(bug?.summary ?? "", /re-initialised/);
  });
  it("is in softirq context with taints W, O, E explained", () => {
    assert.equal(finding(report, "interrupted-context")?.data?.context, "softirq");
    const taints = Object.fromEntries(
      report?.kernel.taints.map((t) => [t.letter, t.meaning]) ?? [],
    );
    assert.match(taints.W ?? "", /warning/);
    assert.match(taints.O ?? "", /out-of-tree/);
    assert.match(taints.E ?? "", /unsigned/);
    assert.ok(finding(report, "prior-warning"));
  });
  it("takes neigh_timer_handler from the crash session", () => {
    assert.ok(
      report?.findings.some(
        (f) => f.id === "crash-session-evidence" && /neigh_timer_handler/.test(f.summary),
      ),
    );
    assert.equal(report?.culprit?.symbol, "neigh_timer_handler");
  });
});
