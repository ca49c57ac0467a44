/**
 * Where reports start and end in what people paste, on real cases from testdata/realworld:
 * a headline with no report body around it (an issue title, a sentence, a template) is not a
 * report; a second header of the same report (the die() line, the panic, the blocker of a
 * hung task, the message of a WARN) does not open another; lines just before a header that
 * belong to it are its lead-in.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";

/** each report as "start:header line:header text (first 30 characters)" */
function reports(name: string): string[] {
  return analyzeText(input(name)).reports.map(
    (r) => `${r.lines.start}:${r.header.line}:${r.header.text.slice(0, 30)}`,
  );
}

describe("a headline without a report body is a mention", () => {
  it("an issue title naming a headline, and the headline in a sentence (450)", () => {
    assert.deepEqual(reports("realworld:450"), []);
  });
  it("a how-to's template with placeholders (461)", () => {
    assert.deepEqual(reports("realworld:461"), []);
  });
  it("an issue template's comment with a lone 'Call Trace:' under the headline (466)", () => {
    assert.deepEqual(reports("realworld:466"), []);
  });
  it("a bulleted list of search terms (456)", () => {
    assert.deepEqual(reports("realworld:456"), []);
  });
  it("an issue title above the log is not a second report (319, 401, 201)", () => {
    assert.deepEqual(reports("realworld:319"), ["12:12:Kernel panic - not syncing: Re"]);
    assert.deepEqual(reports("realworld:401"), ["6:6:VERIFY3(insert_inode_locked(ip"]);
    assert.equal(reports("realworld:201").length, 2);
    assert.ok(reports("realworld:201").every((r) => !r.startsWith("1:")));
  });
});

describe("a headline with a body around it is a report", () => {
  it("lines sharing its prefix show it is a log line (344: 'rcu: INFO: …' twice)", () => {
    assert.deepEqual(reports("realworld:344"), [
      "5:5:INFO: rcu_sched detected exped",
      "7:7:INFO: rcu_sched detected exped",
    ]);
  });
  it("the last line of a pasted log, right after the previous report's end (420)", () => {
    assert.deepEqual(reports("realworld:420"), ["32:33:WARNING: CPU: 5 PID: 487 at /v"]);
  });
  it("a paste flattened into one line carries its body on the header's line (149)", () => {
    assert.equal(reports("realworld:149").length, 1);
  });
  it("a bare console log: the fault's next header is its body (112, 114, 128)", () => {
    assert.equal(reports("realworld:112").length, 1);
    assert.equal(reports("realworld:114").length, 1);
    assert.equal(reports("realworld:128").length, 1);
  });
});

describe("second headers of one report", () => {
  it("riscv's 'Kernel BUG [#1]' after 'kernel BUG at' (120)", () => {
    assert.deepEqual(reports("realworld:120"), ["25:26:kernel BUG at include/linux/pa"]);
  });
  it("old arm's BUG(): the write to address 0 after 'kernel BUG at' (127)", () => {
    assert.deepEqual(reports("realworld:127"), ["34:34:kernel BUG at slab.c:1110!"]);
  });
  it("the hung-task detector naming the blocker (303)", () => {
    assert.deepEqual(reports("realworld:303"), ["17:17:INFO: task cat:1803 blocked fo"]);
  });
  it("'Watchdog detected hard LOCKUP' as the message of the WARN before it (206)", () => {
    const [report] = analyzeText(input("realworld:206")).reports;
    assert.equal(analyzeText(input("realworld:206")).reports.length, 1);
    assert.equal(report?.kind, "hard-lockup");
  });
  it("powerpc's watchdog naming the stuck CPU (338)", () => {
    assert.deepEqual(reports("realworld:338"), ["5:5:Watchdog CPU:71 detected Hard "]);
  });
  it("a headline alone, told again, is a repeat (119: a second imprecise abort)", () => {
    const [report, ...rest] = analyzeText(input("realworld:119")).reports;
    assert.equal(rest.length, 0);
    assert.equal(report?.repeatCount, 1);
  });
});

describe("OOM reports", () => {
  it("a second OOM report is a report of its own (310)", () => {
    assert.equal(reports("realworld:310").length, 2);
  });
  it("kill lines a grep kept, each its own report, the full report between them (324)", () => {
    const got = reports("realworld:324");
    assert.equal(got.length, 3);
    assert.ok(got[0]?.includes("oom-kill:constraint="));
    assert.ok(got[1]?.includes("invoked oom-killer"));
    assert.ok(got[2]?.includes("oom-kill:constraint="));
  });
  it("a kill line, then the next OOM report (328)", () => {
    assert.deepEqual(
      reports("realworld:328").map((r) => r.replace(/^\d+:\d+:/, "")),
      ["Memory cgroup out of memory: K", "invoked oom-killer: gfp_mask=0"],
    );
  });
});

describe("lead-in lines", () => {
  it("refcount_t's message before its WARNING (313, 329 with a cut timestamp)", () => {
    assert.deepEqual(reports("realworld:313"), ["15:16:WARNING: CPU: 1 PID: 61 at lib"]);
    assert.deepEqual(reports("realworld:329"), ["6:7:WARNING: CPU: 0 PID: 645312 at"]);
  });
  it("list_del's message that a mail client wrapped, before 'cut here' (312)", () => {
    assert.deepEqual(reports("realworld:312"), ["16:19:kernel BUG at lib/list_debug.c"]);
  });
});

describe("headers of their own", () => {
  it("syslogd wall messages: 'Oops: 0002 [#1]' opens the report, the panic ends it (209)", () => {
    assert.deepEqual(reports("realworld:209"), ["10:10:Oops: 0002 [#1] SMP"]);
  });
  it("a SysRq-l NMI backtrace, brackets HTML-escaped (212)", () => {
    assert.deepEqual(reports("realworld:212"), ["11:11:NMI backtrace for cpu 3"]);
  });
  it("s390's 'Unknown program exception' (138)", () => {
    assert.deepEqual(reports("realworld:138"), ["10:10:Unknown program exception: 002"]);
  });
  it("'BUG: arch topology borken' is a printk, not a crash (108)", () => {
    assert.equal(reports("realworld:108").length, 2);
    assert.ok(reports("realworld:108").every((r) => r.includes("Unable to handle kernel")));
  });
});

describe("held-out pastes", () => {
  it("decode_stacktrace's '(file.c:NNN)' after the function is not part of the title (187)", () => {
    const [report] = analyzeText(input("realworld:187")).reports;
    assert.equal(report?.title, "KASAN: slab-use-after-free in kernfs_test_super");
  });
  it("a 2.6 hung task pasted bare: the hung_task_timeout_secs line is its body (175)", () => {
    assert.deepEqual(reports("realworld:175"), ["4:4:INFO: task nfsd:7576 blocked f"]);
  });
  it("KFENCE's stack starts after its access line, header bare and body in syslog (171)", () => {
    const [report] = analyzeText(input("realworld:171")).reports;
    assert.deepEqual(
      report?.trace.slice(0, 2).map((f) => f.symbol),
      ["bfq_exit_icq_bfqq", "bfq_exit_icq"],
    );
    assert.equal(report?.lines.end, 13, "the allocation stack is not the report's trace");
  });
  it("an IBT 'Missing ENDBR' line opens a report, cut at its 'cut here' (170)", () => {
    const [report] = analyzeText(input("realworld:170")).reports;
    assert.equal(report?.title, "Missing ENDBR in kallsyms_lookup_name");
    assert.equal(report?.kind, "other");
  });
});

describe("trace listings", () => {
  it("powerpc's '0x… (unreliable)' stack slot does not end the trace (109, a commit message)", () => {
    const [report] = analyzeText(input("realworld:109")).reports;
    assert.deepEqual(
      report?.trace.slice(0, 2).map((f) => f.symbol),
      ["__mutex_lock.constprop.0", "amdgpu_amdkfd_gpuvm_alloc_memory_of_gpu"],
    );
    assert.equal(report?.trace.length, 10);
  });
  it("arm since 5.x: 'callee [mod] from caller+0x…/0x…' frames, no heading (119, QP mail)", () => {
    const [report] = analyzeText(input("realworld:119")).reports;
    assert.deepEqual(
      report?.trace.slice(0, 3).map((f) => `${f.symbol}${f.module ? ` [${f.module}]` : ""}`),
      [
        "__copy_to_user_std",
        "aess_read_mem [snd_soc_omap_aess]",
        "aess_read_pmem [snd_soc_omap_aess]",
      ],
    );
  });
  it("an RCU stall's grace-period kthread dump is not the stalled CPU's stack (333)", () => {
    const [report] = analyzeText(input("realworld:333")).reports;
    assert.equal(report?.kind, "rcu-stall");
    assert.deepEqual(report?.trace, []);
  });
});
