/**
 * The five seed write-ups (testdata/seeds, made line for line from ../shared/seeds): blog
 * posts with logs and crash sessions pasted into prose. Each must yield the reports its
 * author saw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";
import type { Report } from "./report.js";

function seed(id: string): Report[] {
  return analyzeText(input(`seed:${id}`)).reports;
}

describe("seed 000: NULL dereference in a timer interrupt (crash session + log excerpt)", () => {
  const [report, ...rest] = seed("000");
  it("finds one report", () => {
    assert.ok(report);
    assert.equal(rest.length, 0);
  });
  it("titles it like syzkaller, with the offset normalised from both notations", () => {
    assert.equal(
      report?.title,
      "BUG: unable to handle kernel NULL pointer dereference in run_posix_cpu_timers",
    );
    assert.equal(report?.kind, "null-deref");
    // log "run_posix_cpu_timers+0xa4/0x840" and crash "run_posix_cpu_timers+164" are one place
    assert.equal(report?.ip?.symbol, "run_posix_cpu_timers");
    assert.equal(report?.ip?.offset, 164);
    assert.equal(report?.ip?.size, 0x840);
    assert.equal(report?.faultAddress, "0x140");
  });
  it("takes task, registers and trace from the pasted crash session", () => {
    assert.deepEqual(report?.task, { pid: 80589, comm: "commserver", cpu: 0 });
    assert.equal(report?.registers.r15, "0x0");
    assert.equal(report?.kernel.release, "3.10.0-327.18.2.el7.x86_64");
    const trace = report?.trace ?? [];
    assert.equal(trace[0]?.symbol, "update_process_times");
    assert.equal(trace[0]?.context, "irq");
    const interrupted = trace.find((f) => f.symbol === "xfs_log_reserve");
    assert.equal(interrupted?.offset, 53);
    assert.equal(interrupted?.context, "task");
    assert.ok(trace.some((f) => f.symbol === "xfs_file_aio_write" && f.module === "xfs"));
    assert.equal(trace.at(-1)?.symbol, "system_call_fastpath");
  });
  it("keeps the session's disassembly with its source lines", () => {
    const dis = report?.session?.disassembly.find(
      (d) => d.offset === 164 && d.symbol === "run_posix_cpu_timers",
    );
    assert.equal(dis?.instruction, "mov 0x140(%r15),%ecx");
    assert.equal(dis?.source, "kernel/posix-cpu-timers.c:1292");
    assert.equal(
      report?.session?.sys.PANIC,
      "BUG: unable to handle kernel NULL pointer dereference at 0000000000000140",
    );
  });
});

describe("seed 001: ceph passes NULL to __free_pages (crash session only, blank lines between lines)", () => {
  const reports = seed("001");
  const report = reports[0];
  it("builds the report from sys and bt", () => {
    assert.equal(reports.length, 1);
    assert.equal(
      report?.title,
      "BUG: unable to handle kernel NULL pointer dereference in __free_pages",
    );
    assert.equal(report?.faultAddress, "0x1c");
    assert.deepEqual(report?.task, { pid: 9377, comm: "nginx", cpu: 29 });
    assert.equal(report?.ip?.symbol, "__free_pages");
    assert.equal(report?.ip?.offset, 5);
    assert.equal(report?.registers.rdi, "0x0");
    assert.equal(report?.kernel.release, "3.10.0-514.26.2.el7.x86_64");
  });
  it("starts the trace at the caller, with its module", () => {
    assert.deepEqual(
      report?.trace.map((f) => [f.symbol, f.module]),
      [
        ["ceph_aio_read", "ceph"],
        ["do_sync_read", null],
        ["vfs_read", null],
        ["sys_read", null],
        ["system_call_fastpath", null],
      ],
    );
  });
  it("reads the disassembly of __free_pages", () => {
    const dis = report?.session?.disassembly.find((d) => d.offset === 5);
    assert.equal(dis?.instruction, "lock decl 0x1c(%rdi)");
  });
});

describe("seed 002: NULL prev in skb_entail (log twice, crash session, prose)", () => {
  const reports = seed("002");
  const report = reports[0];
  it("folds the report printed twice into one and ignores the mention in the title line", () => {
    assert.equal(reports.length, 1);
    assert.equal(report?.repeats?.length, 1);
    assert.equal(report?.header.line, 7);
  });
  it("reads every field of the oops", () => {
    assert.equal(
      report?.title,
      "BUG: unable to handle kernel NULL pointer dereference in skb_entail",
    );
    assert.equal(report?.faultAddress, "0x0");
    assert.deepEqual(
      report?.ip && [report.ip.symbol, report.ip.offset, report.ip.size, report.ip.address],
      ["skb_entail", 0x52, 0xd0, "0xffffffff81573762"],
    );
    assert.equal(report?.registers.rax, "0x0");
    assert.equal(report?.registers.rsi, "0xffff8801089c9038");
    assert.equal(report?.registers.cr2, "0x0");
    assert.equal(report?.errorCode?.value, 2);
    assert.equal(report?.errorCode?.write, true);
    assert.equal(report?.errorCode?.present, false);
    assert.equal(report?.errorCode?.user, false);
    assert.equal(report?.code?.faultIndex, 43);
    assert.ok(report?.code?.bytes.startsWith("4d 00 89 46 44"));
    assert.equal(report?.kernel.release, "3.10.0-327.36.1.el7.x86_64");
    assert.equal(report?.kernel.tainted, undefined);
    assert.equal(report?.kernel.hardware, "Red Hat Inc. OpenStack Nova, BIOS 0.5.1 01/01/2007");
    assert.deepEqual(report?.task, { pid: 2790, comm: "nginx", cpu: 0 });
    assert.equal(report?.modules.length, 52);
    assert.equal(report?.trace[0]?.symbol, "tcp_sendmsg");
    assert.equal(report?.trace[0]?.offset, 0x6f2);
    assert.equal(report?.trace.filter((f) => !f.reliable).length, 2);
  });
  it("attaches the crash session's structure dumps", () => {
    const queue = report?.session?.structs.find((s) => s.expression.includes("sk_write_queue"));
    assert.equal(queue?.fields.prev, "0x0");
    assert.equal(queue?.fields.next, "0xffff8801089c9038");
    assert.equal(report?.session?.backtraces[0]?.exceptions[0]?.symbol, "skb_entail");
  });
});

describe("seed 003: soft lockup in an out-of-tree module, a hung task, and the reproduction", () => {
  const reports = seed("003");
  it("finds the three reports in input order", () => {
    assert.deepEqual(
      reports.map((r) => r.kind),
      ["soft-lockup", "hung-task", "soft-lockup"],
    );
  });
  it("gives the production and reproduction lockups one title", () => {
    assert.equal(reports[0]?.title, "BUG: soft lockup in get_process_name");
    assert.equal(reports[2]?.title, reports[0]?.title);
  });
  it("reads the syslog and vmcore-dmesg forms alike", () => {
    const [production, , reproduction] = reports;
    assert.deepEqual(production?.task, { cpu: 1, comm: "wsssr_defence_d", pid: 27392 });
    assert.deepEqual(reproduction?.task, { cpu: 1, comm: "a.out", pid: 5114 });
    for (const r of [production, reproduction]) {
      assert.equal(r?.ip?.symbol, "get_process_name");
      assert.equal(r?.ip?.module, "dirpro");
      assert.equal(r?.kernel.release, "2.6.32-754.6.3.el6.x86_64");
      assert.deepEqual(r?.modules[0], {
        name: r === production ? "resguard_linux" : "dirpro",
        flags: "U",
      });
    }
    assert.equal(production?.kernel.hardware, "Inspur NF5280M4/YZMB-00689-101");
    assert.equal(production?.trace[0]?.symbol, "new_sys_kill");
    assert.equal(production?.trace[0]?.reliable, false);
  });
  it("reads the hung task with its taint", () => {
    const hung = reports[1];
    assert.equal(hung?.title, "INFO: task hung in synchronize_rcu");
    assert.deepEqual(hung?.task, { comm: "crond", pid: 28259 });
    assert.deepEqual(
      hung?.kernel.taints.map((t) => t.letter),
      ["L"],
    );
    assert.ok(hung?.trace.some((f) => f.symbol === "synchronize_sched"));
  });
});

describe("seed 004: kernel BUG in cascade (log with prose inside, crash session)", () => {
  const [report, ...rest] = seed("004");
  it("reads the BUG with its softirq context and taints", () => {
    assert.equal(rest.length, 0);
    assert.equal(report?.title, "kernel BUG in cascade");
    assert.equal(report?.kind, "kernel-bug");
    assert.deepEqual(report?.assertion, { file: "kernel/timer.c", line: 1105 });
    assert.deepEqual(report?.task, { cpu: 0, pid: 0, comm: "swapper/0" });
    assert.deepEqual(
      report?.kernel.taints.map((t) => t.letter),
      ["W", "O", "E", "T"],
    );
    assert.equal(report?.trace[0]?.symbol, "run_timer_softirq");
    assert.equal(report?.trace[0]?.context, "softirq");
    assert.equal(report?.registers.rsi, "0xffff88102ee1fe58");
  });
  it("attaches the timer_list dump", () => {
    const timer = report?.session?.structs.find((s) => s.type === "timer_list");
    assert.equal(timer?.fields.function, "0xffffffff8157f8c0 <neigh_timer_handler>");
    assert.equal(timer?.fields.expires, "0");
    assert.equal(timer?.fields["entry.next"], "0x0");
  });
});
