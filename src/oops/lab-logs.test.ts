/**
 * Real console logs of a Debian 6.1 kernel crashed on purpose by a test module
 * (testdata/oops/x86_64, from ../shared/lab/runs/<run>/serial.txt): CRLF line ends, boot noise,
 * and one crash each.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";
import { baseSymbol } from "./fields/location.js";
import type { Kind } from "./report.js";

interface Expectation {
  run: string;
  kind: Kind;
  title: string;
  ip?: string;
  faultAddress?: string;
  reports?: number;
  /** reports printed by dump_stack() (panics, hung tasks) list no modules or hardware */
  short?: boolean;
}

const expectations: Expectation[] = [
  {
    run: "nullread",
    kind: "null-deref",
    title: "BUG: unable to handle kernel NULL pointer dereference in buggy_read_status",
    ip: "buggy_read_status",
    faultAddress: "0x140",
  },
  {
    run: "nullwrite",
    kind: "null-deref",
    title: "BUG: unable to handle kernel NULL pointer dereference in buggy_reset_counter",
    ip: "buggy_reset_counter",
    faultAddress: "0x48",
  },
  {
    run: "bugon",
    kind: "kernel-bug",
    title: "kernel BUG in buggy_check_state",
    ip: "buggy_check_state",
  },
  {
    run: "softlockup",
    kind: "soft-lockup",
    title: "BUG: soft lockup in proc_reg_write",
    ip: "buggy_poll_hw",
  },
  {
    run: "hung",
    short: true,
    kind: "hung-task",
    title: "INFO: task hung in buggy_sync_with_worker",
    reports: 2,
  },
  { run: "warn", kind: "warning", title: "WARNING in buggy_validate", ip: "buggy_validate" },
  {
    run: "gpf",
    kind: "general-protection",
    title: "general protection fault in buggy_next_val",
    ip: "buggy_next_val",
    faultAddress: "0xdead000000000110",
  },
  {
    run: "listdel",
    kind: "list-corruption",
    title: "BUG: corrupted list in buggy_remove_item",
    ip: "__list_del_entry_valid",
  },
  {
    run: "divzero",
    kind: "divide-error",
    title: "divide error in buggy_average",
    ip: "buggy_average",
  },
  {
    run: "panic",
    short: true,
    kind: "panic",
    title: "kernel panic: buggy: controller firmware stopped responding (status=ADDR)",
  },
  { run: "sysrq", short: true, kind: "panic", title: "kernel panic: sysrq triggered crash" },
  { run: "oom", short: true, kind: "oom", title: "out of memory in buggy_do_oom" },
];

describe("lab console logs (Debian 6.1.0-56-cloud-amd64 in QEMU)", () => {
  for (const exp of expectations) {
    it(`${exp.run}: ${exp.kind}, "${exp.title}"`, () => {
      const { reports } = analyzeText(input(`lab:${exp.run}`));
      assert.equal(reports.length, exp.reports ?? 1);
      const report = reports[0];
      assert.equal(report?.kind, exp.kind);
      assert.equal(report?.title, exp.title);
      assert.equal(report?.corrupted, false, report?.corruptedReason);
      if (exp.ip) assert.equal(baseSymbol(report?.ip?.symbol ?? ""), exp.ip);
      if (exp.faultAddress) assert.equal(report?.faultAddress, exp.faultAddress);
      assert.equal(report?.kernel.release, "6.1.0-56-cloud-amd64");
      assert.equal(report?.kernel.tainted, "G OE");
      assert.deepEqual(
        report?.kernel.taints.map((t) => t.letter),
        ["O", "E"],
      );
      assert.equal(report?.arch, "x86_64");
      if (!exp.short) {
        assert.match(report?.kernel.hardware ?? "", /^QEMU Standard PC \(i440FX \+ PIIX, 1996\)/);
        assert.ok(report?.modules.some((m) => m.name === "buggy" && m.flags === "OE"));
      }
    });
  }

  it("nullread: registers, code bytes, error code and the user-space part left out", () => {
    const [report] = analyzeText(input("lab:nullread")).reports;
    assert.equal(report?.registers.rdi, "0x0");
    assert.equal(report?.registers.rax, "0x0");
    // the user-mode register dump (RIP: 0033) inside the trace is not the fault's
    assert.equal(report?.registers.rcx, "0xc0000000ffffefff");
    assert.equal(report?.code?.bytes.split(" ")[report.code.faultIndex], "48");
    assert.equal(report?.errorCode?.value, 0);
    assert.equal(report?.errorCode?.write, false);
    assert.match(report?.errorCode?.description ?? "", /supervisor read access in kernel mode/);
    assert.deepEqual(
      report?.trace.filter((f) => f.reliable).map((f) => f.symbol),
      [
        "buggy_do_nullread",
        "buggy_write",
        "proc_reg_write",
        "vfs_write",
        "ksys_write",
        "do_syscall_64",
        "entry_SYSCALL_64_after_hwframe",
      ],
    );
    assert.equal(report?.panic?.message, "Fatal exception");
    assert.equal(report?.kernel.offset, "0x20800000");
    assert.equal(report?.header.line, 352);
  });

  it("hung: two hung-task reports, each with its own task", () => {
    const { reports } = analyzeText(input("lab:hung"));
    assert.deepEqual(
      reports.map((r) => [r.task.comm, r.task.pid]),
      [
        ["sh", 100],
        ["buggy_worker", 102],
      ],
    );
    assert.equal(reports[1]?.title, "INFO: task hung in buggy_worker_fn");
  });
});
