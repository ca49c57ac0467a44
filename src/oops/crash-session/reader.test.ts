import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linesOfString } from "../../text/line-source.js";
import { LineNormalizer } from "../../text/normalize.js";
import { SessionReader } from "./reader.js";
import type { Session } from "./session.js";

function read(text: string): { sessions: Session[]; passed: string[] } {
  const reader = new SessionReader();
  const normalizer = new LineNormalizer();
  const passed: string[] = [];
  for (const line of linesOfString(text)) {
    normalizer.push(line, (l) => {
      if (!reader.push(l)) passed.push(l.text);
    });
  }
  return { sessions: reader.finish(), passed };
}

describe("SessionReader", () => {
  it("reads sys fields, unquoting PANIC, with or without a prompt", () => {
    for (const prompt of ["crash> sys\n", ""]) {
      const { sessions } = read(
        `${prompt}      KERNEL: /usr/lib/debug/lib/modules/3.10.0-327.el7.x86_64/vmlinux\n        CPUS: 4\n       PANIC: "BUG: unable to handle kernel NULL pointer dereference at           (null)"\n`,
      );
      assert.equal(sessions[0]?.sys.CPUS, "4");
      assert.equal(
        sessions[0]?.sys.PANIC,
        "BUG: unable to handle kernel NULL pointer dereference at           (null)",
      );
    }
  });

  it("reads a backtrace with exception frames, stack switches and bt -FF words", () => {
    const { sessions } = read(
      [
        "crash> bt -FF",
        'PID: 2790   TASK: ffff880036a1dc00  CPU: 0   COMMAND: "nginx"',
        " #0 [ffff88018fcbf830] machine_kexec at ffffffff81051e9b",
        "    ffff88018fcbf838: 000088018fcbf898 ffff880000000000 ",
        " #1 [ffff88018fcbfad0] page_fault at ffffffff8163e508",
        "    [exception RIP: skb_entail+82]",
        "    RIP: ffffffff81573762  RSP: ffff88018fcbfb88  RFLAGS: 00010202",
        "    RAX: 0000000000000000  RBX: 0000000000003890  RCX: 00000000ffffffff",
        " #2 [ffff88018fcbfb90] tcp_sendmsg at ffffffff81577bf2 [xfs]",
        "--- <IRQ stack> ---",
        " #3 [ffff88018fcbfc58] inet_sendmsg at ffffffff815a1c04",
        " #3 [ffff88018fcbfc58] inet_sendmsg at ffffffff815a1c04",
      ].join("\n"),
    );
    const bt = sessions[0]?.backtraces[0];
    assert.deepEqual([bt?.pid, bt?.cpu, bt?.command], [2790, 0, "nginx"]);
    assert.deepEqual(
      bt?.frames.map((f) => [f.index, f.symbol, f.module]),
      [
        [0, "machine_kexec", undefined],
        [1, "page_fault", undefined],
        [2, "tcp_sendmsg", "xfs"],
        [3, "inet_sendmsg", undefined],
      ],
    );
    const exception = bt?.exceptions[0];
    assert.deepEqual(
      [exception?.symbol, exception?.offset, exception?.afterFrame],
      ["skb_entail", 82, 1],
    );
    assert.equal(exception?.registers.rax, "0x0");
    assert.equal(exception?.registers.rip, "0xffffffff81573762");
    assert.deepEqual(
      bt?.stackSwitches.map((s) => [s.stack, s.afterFrame]),
      [["IRQ stack", 2]],
    );
  });

  it("reads dis -l with source lines and cleans annotations", () => {
    const { sessions } = read(
      [
        "crash> dis -rl run_posix_cpu_timers+164",
        "/usr/src/debug/kernel-3.10.0/linux-3.10.0.x86_64/kernel/posix-cpu-timers.c: 1292",
        "0xffffffff810a86f4 <run_posix_cpu_timers+164>:  mov    0x140(%r15),%ecx",
        "0xffffffff8157374d <skb_entail+61>:     mov    0x140(%rdi),%rax ?null?",
        "0xffffffff81573762 <skb_entail+82>:     mov    %rsi,(%rax) 🔥",
        "0xffffffff8118a070 <__free_pages>: nopl 0x0(%rax,%rax,1) [FTRACE NOP]",
      ].join("\n"),
    );
    assert.deepEqual(
      sessions[0]?.disassembly.map((d) => [d.symbol, d.offset, d.instruction, d.source]),
      [
        ["run_posix_cpu_timers", 164, "mov 0x140(%r15),%ecx", "kernel/posix-cpu-timers.c:1292"],
        ["skb_entail", 61, "mov 0x140(%rdi),%rax", "kernel/posix-cpu-timers.c:1292"],
        ["skb_entail", 82, "mov %rsi,(%rax)", "kernel/posix-cpu-timers.c:1292"],
        ["__free_pages", undefined, "nopl 0x0(%rax,%rax,1)", "kernel/posix-cpu-timers.c:1292"],
      ],
    );
  });

  it("reads nested structures by indentation, even when the paste cut lines out", () => {
    const { sessions } = read(
      [
        "crash> struct signal_struct 0xffff88108bea8d80",
        "struct signal_struct {",
        "  sigcnt = {",
        "    counter = 77",
        "...",
        "  cputimer = {",
        "    cputime = {",
        "      utime = 0, ",
        "    }, ",
        "    running = 0, ",
      ].join("\n"),
    );
    const dump = sessions[0]?.structs[0];
    assert.equal(dump?.type, "signal_struct");
    assert.equal(dump?.address, "0xffff88108bea8d80");
    assert.equal(dump?.fields["sigcnt.counter"], "77");
    assert.equal(dump?.fields["cputimer.cputime.utime"], "0");
    assert.equal(dump?.fields["cputimer.running"], "0");
  });

  it("hands the output of crash's log command back as kernel log", () => {
    const { passed } = read(
      "crash> log\n[  1.0] BUG: kernel NULL pointer dereference, address: 0000000000000140\n",
    );
    assert.deepEqual(passed, ["BUG: kernel NULL pointer dereference, address: 0000000000000140"]);
  });

  it("leaves ordinary prose and logs alone", () => {
    const { sessions, passed } = read("We rebooted the host.\n[ 1.0] Call Trace:\n");
    assert.equal(sessions.length, 0);
    assert.equal(passed.length, 2);
  });
});
