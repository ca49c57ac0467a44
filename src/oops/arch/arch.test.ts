/**
 * Which architecture an oops comes from, decided by the lines only one architecture prints:
 * register names and widths, not the "PC is at" line that arm and arm64 (before 4.16) share.
 * Every excerpt is quoted from a real log: the syzkaller report corpus, the squad log-parser
 * corpus (HiKey), satyr's kernel-oops corpus, or testdata/realworld.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseText } from "../parse.js";
import type { Arch } from "../report.js";

const realworld = (name: string) =>
  readFileSync(new URL(`../../../testdata/realworld/${name}`, import.meta.url), "utf8");

/** arm64 3.18 (syzkaller linux-report 45): "PC is at", then a 16-digit pc and pstate. */
const ARM64_3_18 = [
  "[  167.353311] Unable to handle kernel paging request at virtual address dead000000000108",
  "[  167.371618] Internal error: Oops: 96000044 [#1] PREEMPT SMP",
  "[  167.377205] CPU: 2 PID: 12170 Comm: syz-executor Tainted: G    BU         3.18.0 #78",
  "[  167.398267] PC is at _snd_timer_stop.constprop.9+0x184/0x2b0",
  "[  167.403931] LR is at _snd_timer_stop.constprop.9+0x184/0x2b0",
  "[  167.409593] pc : [<ffffffc000d394c4>] lr : [<ffffffc000d394c4>] pstate: 200001c5",
  "[  167.416985] sp : ffffffc016113990",
];

/** arm64 4.4 (squad linux_log_parser oops.log, HiKey): x29…x0 follow. */
const ARM64_4_4 = [
  "[   14.451213] kernel BUG at /srv/oe/build/tmp-rpb-glibc/work-shared/hikey/kernel-source/kernel/sched/walt.c:109!",
  "[   14.466921] Modules linked in:",
  "[   14.470030] CPU: 0 PID: 2270 Comm: NetworkManager Not tainted 4.4.89-01529-gb29bace #1",
  "[   14.489361] PC is at walt_dec_cumulative_runnable_avg+0x40/0x48",
  "[   14.495362] LR is at dequeue_task_fair+0x3f0/0x1370",
  "[   14.500304] pc : [<ffffff8008132d58>] lr : [<ffffff80081215e0>] pstate: 804001c5",
  "[   14.507991] sp : ffffffc07233b7b0",
  "[   14.511466] x29: ffffffc07233b7b0 x28: 0000000000000000 ",
  "[   14.517058] x27: 0000000000000000 x26: ffffff8008cc7184 ",
];

/** arm 3.17 (satyr arm-hung-task-oops-2): 8-digit pc, psr, r0–r10. */
const ARM_3_17 = [
  "Unable to handle kernel NULL pointer dereference at virtual address 00000009",
  "Internal error: Oops: 805 [#1] SMP ARM",
  "CPU: 1 PID: 431 Comm: systemd-logind Not tainted 3.17.8-300.fc21.armv7hl #1",
  "PC is at shmem_getpage_gfp+0x584/0x72c",
  "LR is at shmem_getpage_gfp+0x454/0x72c",
  "pc : [<c0333330>]    lr : [<c0333200>]    psr: 80070113",
  "sp : e8a59dd8  ip : 2d2f9000  fp : 00000000",
  "r10: e89fa198  r9 : 00000001  r8 : 000200da",
];

const rows: Array<{ why: string; text: string; arch: Arch; check?: (r: Report) => void }> = [
  {
    why: "arm64 before 4.16: the 16-digit pc and pstate settle it",
    text: ARM64_3_18.join("\n"),
    arch: "arm64",
    check: (r) => {
      assert.equal(r.ip?.symbol, "_snd_timer_stop.constprop.9");
      assert.equal(r.ip?.address, "0xffffffc000d394c4");
      assert.equal(r.registers.sp, "0xffffffc016113990");
    },
  },
  {
    why: "arm64 4.4: x29…x0 are read as arm64 registers",
    text: ARM64_4_4.join("\n"),
    arch: "arm64",
    check: (r) => assert.equal(r.registers.x26, "0xffffff8008cc7184"),
  },
  {
    why: "arm64 before 4.16 with only the x registers after 'PC is at'",
    text: [...ARM64_4_4.slice(0, 5), ...ARM64_4_4.slice(7)].join("\n"),
    arch: "arm64",
  },
  {
    why: "32-bit arm: 8-digit pc, psr and r registers",
    text: ARM_3_17.join("\n"),
    arch: "arm",
    check: (r) => {
      assert.equal(r.registers.r10, "0xe89fa198");
      assert.equal(r.ip?.address, "0xc0333330");
    },
  },
  {
    why: "32-bit arm 6.15 (realworld 116): 'pc : [<c08bf8e4>]    lr :' is not arm64's pc line",
    text: realworld("116-arm32-orangepi-strcmp-null-asoc.txt"),
    arch: "arm",
  },
  {
    why: "'PC is at' alone: arm, the architecture that still prints it",
    text: ARM_3_17.slice(0, 5).join("\n"),
    arch: "arm",
  },
  {
    why: "'PC is at' alone after a 16-digit 'task:' pointer: a 64-bit kernel, so arm64 (4.4)",
    text: [
      ...ARM64_4_4.slice(0, 3),
      "[   14.483352] task: ffffffc06f4fa680 task.stack: ffffffc072338000",
      ...ARM64_4_4.slice(3, 5),
    ].join("\n"),
    arch: "arm64",
  },
  {
    why: "'PC is at' alone after a 16-digit 'pgd =' (3.18)",
    text: [ARM64_3_18[0], "[  167.361225] pgd = ffffffc0a39a0000", ...ARM64_3_18.slice(1, 5)].join(
      "\n",
    ),
    arch: "arm64",
  },
  {
    why: "'PC is at' alone after an 8-digit 'task:' pointer stays arm (3.17)",
    text: [
      ...ARM_3_17.slice(0, 3),
      "task: ed16dd80 ti: e8a58000 task.ti: e8a58000",
      ...ARM_3_17.slice(3, 5),
    ].join("\n"),
    arch: "arm",
  },
  {
    why: "'PC is at' alone, but the release names aarch64 (an AL2023 CPU line spliced in)",
    text: [
      ARM64_3_18[0],
      ARM64_3_18[1],
      "[ 1765.982163] CPU: 0 UID: 992 PID: 24017 Comm: python3 Not tainted 6.12.55-74.119.amzn2023.aarch64 #1",
      ARM64_3_18[3],
    ].join("\n"),
    arch: "arm64",
  },
];

/** i386 2.6.35 (realworld 129): the page-fault line's 8-digit "IP:", then EIP and EAX. */
const I386_2_6_35 = [
  "[ 2806.472323] BUG: unable to handle kernel paging request at ffdc4000",
  "[ 2806.472413] IP: [<c036549f>] memcpy+0x1f/0x40",
  "[ 2806.473494] EIP: 0060:[<c036549f>] EFLAGS: 00010216 CPU: 0",
  "[ 2806.473537] EIP is at memcpy+0x1f/0x40",
  "[ 2806.473570] EAX: d4578000 EBX: 00006000 ECX: 00001400 EDX: ffdc3000",
];

const x86Rows: typeof rows = [
  {
    why: "i386 before 4.10: an 8-digit 'IP: [<…>]' is not x86-64's, and EAX… are read",
    text: I386_2_6_35.join("\n"),
    arch: "i386",
    check: (r) => {
      assert.equal(r.ip?.symbol, "memcpy");
      assert.equal(r.registers.eax, "0xd4578000");
    },
  },
  {
    why: "i386: the 8-digit 'IP:' alone is enough",
    text: I386_2_6_35.slice(0, 2).join("\n"),
    arch: "i386",
  },
  {
    why: "x86-64 3.x (realworld 405): a 16-digit 'IP: [<…>]'",
    text: [
      "[ 3659.115117] BUG: unable to handle kernel NULL pointer dereference at (null)",
      "[ 3659.120003] IP: [<ffffffff81349366>] sysrq_handle_crash+0x16/0x20",
    ].join("\n"),
    arch: "x86_64",
  },
  {
    why: "x86 since 4.10 prints 'IP: func' alone: x86-64 until EIP or EAX says otherwise",
    text: [
      "[   55.112844] BUG: unable to handle kernel NULL pointer dereference at 000000000000001a",
      "[   55.113569] IP: skb_release_data+0x258/0x470",
    ].join("\n"),
    arch: "x86_64",
    check: (r) => assert.equal(r.ip?.symbol, "skb_release_data"),
  },
];

type Report = NonNullable<ReturnType<typeof parseText>["reports"][0]>;

describe("x86: 'IP:' lines of both widths", () => {
  for (const row of x86Rows) {
    it(row.why, () => {
      const report = parseText(row.text).reports[0];
      assert.ok(report);
      assert.equal(report.arch, row.arch);
      row.check?.(report);
    });
  }
});

describe("the architecture of arm-family oopses", () => {
  for (const row of rows) {
    it(row.why, () => {
      const report = parseText(row.text).reports[0];
      assert.ok(report);
      assert.equal(report.arch, row.arch);
      row.check?.(report);
    });
  }
});
