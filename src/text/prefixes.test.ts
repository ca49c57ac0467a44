import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripPrefixes } from "./prefixes.js";

describe("stripPrefixes", () => {
  const cases: Array<[string, string, Record<string, unknown>]> = [
    [
      "dmesg timestamp",
      "[705327.823158] BUG: unable to handle kernel NULL pointer dereference at (null)",
      {
        text: "BUG: unable to handle kernel NULL pointer dereference at (null)",
        time: 705327.823158,
        origin: "kernel",
      },
    ],
    [
      "caller id",
      "[  292.991605][T13544] WARNING: Nested lock was not taken",
      { text: "WARNING: Nested lock was not taken", caller: "T13544", time: 292.991605 },
    ],
    ["cpu caller id", "[    0.000000][    C0] Oops: int3", { text: "Oops: int3", caller: "C0" }],
    [
      "frame keeps its indentation",
      "[    2.552031]  buggy_do_nullread+0x17/0x30 [buggy]",
      { text: " buggy_do_nullread+0x17/0x30 [buggy]" },
    ],
    [
      "syslog",
      "May 23 18:36:31 CTL_AH_225_079 kernel: BUG: soft lockup - CPU#1 stuck for 67s! [wsssr_defence_d:27392]",
      {
        text: "BUG: soft lockup - CPU#1 stuck for 67s! [wsssr_defence_d:27392]",
        host: "CTL_AH_225_079",
        origin: "kernel",
      },
    ],
    ["syslog other program", "May 23 18:36:31 host sshd[123]: Accepted key", { origin: "foreign" }],
    [
      "syslog with printk timestamp",
      "Feb 26 19:12:30 raspi4z kernel: [ 5333.519313] Call Trace:",
      { text: "Call Trace:", time: 5333.519313 },
    ],
    [
      "iso syslog",
      "2023-05-23T18:36:31.123456+00:00 web1 kernel: RIP: 0010:foo+0x1/0x2",
      { text: "RIP: 0010:foo+0x1/0x2", host: "web1" },
    ],
    [
      "journal monotonic",
      "[   12.345678] web1 kernel: Call Trace:",
      { text: "Call Trace:", time: 12.345678, host: "web1" },
    ],
    [
      "printk level",
      "<4>RSP: 0018:ffff88013ba5b678 EFLAGS: 00000206",
      { text: "RSP: 0018:ffff88013ba5b678 EFLAGS: 00000206", level: 4 },
    ],
    [
      "2.6 default level",
      "<4><d> ffffc900075f5a50 ffff882067f97c08",
      { text: " ffffc900075f5a50 ffff882067f97c08", level: 4 },
    ],
    ["level and timestamp", "<6>[    1.234567] hello", { text: "hello", level: 6, time: 1.234567 }],
    [
      "dmesg -T",
      "[Sun May 23 18:36:31 2021] kernel BUG at kernel/timer.c:1105!",
      { text: "kernel BUG at kernel/timer.c:1105!" },
    ],
    [
      "dmesg -x",
      "kern  :warn  : [  1.2] WARNING: CPU: 0",
      { text: "WARNING: CPU: 0", level: 4, time: 1.2 },
    ],
    ["mail quote", "> [  1.500000] Call Trace:", { text: "Call Trace:", time: 1.5 }],
    [
      "login prompt glued to a line",
      "syzkaller login: [   16.305150] INFO: trying to register",
      { text: "INFO: trying to register" },
    ],
    // real-world pastes (testdata/realworld): the prefix before a printk timestamp is transport
    [
      "console tag of a guest (318)",
      "[guest0/uart0] [    1.885337] Kernel panic - not syncing: VFS: Unable to mount root fs",
      { text: "Kernel panic - not syncing: VFS: Unable to mount root fs", time: 1.885337 },
    ],
    [
      "grep -r over pstore (415)",
      "/sys/fs/pstore/console-ramoops-0:[1055773.221845] Internal error: Oops - BUG: 0 [#1] SMP",
      { text: "Internal error: Oops - BUG: 0 [#1] SMP", origin: "kernel" },
    ],
    [
      "shell prompt (409)",
      "lo@odyssey ~ $ [  186.393813] BUG: invalid or fatal FRED event",
      { text: "BUG: invalid or fatal FRED event", time: 186.393813 },
    ],
    [
      "markdown bold on both ends (407)",
      "**[   29.775289] BUG: unable to handle kernel NULL pointer dereference at 0000000000000340**",
      { text: "BUG: unable to handle kernel NULL pointer dereference at 0000000000000340" },
    ],
    [
      "HTML tag (403)",
      "<pre>[464792.580697] VERIFY(zio->io_children[c][w] == 0) failed",
      { text: "VERIFY(zio->io_children[c][w] == 0) failed", time: 464792.580697 },
    ],
    [
      "socklog facility and level (410)",
      "kern.alert: [21657.872242] BUG: unable to handle kernel NULL pointer dereference",
      { text: "BUG: unable to handle kernel NULL pointer dereference", level: 1 },
    ],
    [
      "syslogd wall message body (209)",
      " kernel:Oops: 0002 [#1] SMP ",
      { text: "Oops: 0002 [#1] SMP ", origin: "kernel" },
    ],
    [
      "a zh_CN journal: the month is '11月' (230)",
      "11月 29 13:57:23 fedora kernel: VERIFY3(counts[index] + inner_size <= size) failed (8192 <= 4096)",
      {
        text: "VERIFY3(counts[index] + inner_size <= size) failed (8192 <= 4096)",
        origin: "kernel",
        host: "fedora",
      },
    ],
    [
      "syslog without a host name (145)",
      "Feb 4 16:15:15 kernel: df_inode invoked oom-killer: gfp_mask=0xd0,",
      { text: "df_inode invoked oom-killer: gfp_mask=0xd0,", origin: "kernel", host: undefined },
    ],
    [
      "syslog without a host, another program",
      "Feb 4 16:15:15 sshd[12]: Accepted key",
      { origin: "foreign" },
    ],
    [
      "timestamp whose bracket the copy cut (329)",
      "60836.026949] refcount_t: underflow; use-after-free.",
      { text: "refcount_t: underflow; use-after-free.", time: 60836.026949 },
    ],
    [
      "a timestamp-like number in prose is not one",
      "It crashed after 1.5 s [see below]: BUG: soft lockup",
      { text: "It crashed after 1.5 s [see below]: BUG: soft lockup", origin: undefined },
    ],
    [
      "plain text stays",
      "PID: 9377 TASK: ffff881c65ee5e20 CPU: 29",
      { text: "PID: 9377 TASK: ffff881c65ee5e20 CPU: 29", origin: undefined },
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const got = stripPrefixes(input) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected))
        assert.equal(got[key], value, `${key} of ${input}`);
    });
  }
});

describe("mail quoting at any depth", () => {
  it("comes off bare, timestamped and syslog lines alike", () => {
    assert.equal(
      stripPrefixes("> > Unable to handle kernel NULL pointer dereference").text,
      "Unable to handle kernel NULL pointer dereference",
    );
    assert.equal(stripPrefixes(">> [    1.5] Oops: 0002 [#1] SMP").text, "Oops: 0002 [#1] SMP");
    const syslog = stripPrefixes("> Jul 18 11:47:03 host kernel: BUG: soft lockup");
    assert.equal(syslog.text, "BUG: soft lockup");
    assert.equal(syslog.origin, "kernel");
  });
  it("keeps the kernel's own indentation after the quote", () => {
    assert.equal(stripPrefixes("> >   ESR = 0x96000004").text, "  ESR = 0x96000004");
  });
});
