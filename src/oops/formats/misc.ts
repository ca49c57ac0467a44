/**
 * @module oops/formats/misc
 * Lockup detectors, the OOM killer, UBSAN, reboots and leaks reported by the VFS, and
 * messages from syzkaller's own tools and from Trusty.
 */
import { re } from "../patterns.js";
import { ripThenTrace, traceOnly } from "./common.js";
import type { OopsGroup } from "./types.js";

export const miscGroups: OopsGroup[] = [
  {
    // the NMI watchdog; syzkaller has no row for it, so the title is ours
    header: "Watchdog detected hard LOCKUP",
    formats: [
      {
        kind: "hard-lockup",
        title: re("Watchdog detected hard LOCKUP on cpu"),
        template: "hard lockup in {1}",
        alt: ["stall in {1}"],
        stack: ripThenTrace({ extractor: "stall" }),
      },
    ],
  },
  {
    // powerpc's watchdog: "Watchdog CPU:71 detected Hard LOCKUP other CPUS:42"
    header: "Watchdog CPU:",
    suppress: [/^(?!.*Watchdog CPU:\d+ detected Hard LOCKUP)/],
    formats: [
      {
        kind: "hard-lockup",
        title: re("Watchdog CPU:[0-9]+ detected Hard LOCKUP"),
        template: "hard lockup in {1}",
        alt: ["stall in {1}"],
        stack: ripThenTrace({ extractor: "stall" }),
      },
    ],
  },
  {
    // an OOM kill is not a crash by itself, but it is the story when the kernel then panics
    header: "invoked oom-killer:",
    formats: [
      {
        kind: "oom",
        title: re("invoked oom-killer:"),
        template: "out of memory in {1}",
        stack: traceOnly({ skip: ["out_of_memory", "^oom_", "dump_header"] }),
      },
    ],
  },
  {
    // the OOM killer's verdict line, alone when a paste kept only it (`dmesg | grep oom`)
    header: "oom-kill:constraint=",
    formats: [
      {
        kind: "oom",
        title: re("oom-kill:constraint=.*,task=([^,]+),pid="),
        template: "out of memory: killed {1}",
        noStackTrace: true,
      },
      {
        kind: "oom",
        title: re("oom-kill:constraint="),
        template: "out of memory",
        noStackTrace: true,
      },
    ],
  },
  ...["Out of memory: Kill", "Memory cgroup out of memory: Kill"].map((header) => ({
    // the OOM killer's kill line, alone when a paste kept only it
    header,
    formats: [
      {
        kind: "oom" as const,
        title: re("of memory: Kill(?:ed)? process [0-9]+ \\(([^)]+)\\)"),
        template: "out of memory: killed {1}",
        noStackTrace: true,
      },
      {
        kind: "oom" as const,
        title: re("of memory: Kill"),
        template: "out of memory",
        noStackTrace: true,
      },
    ],
  })),
  {
    // s390's die() for a program check the kernel has no handler for
    header: "Unknown program exception: ",
    formats: [
      {
        kind: "other",
        title: re("Unknown program exception: [0-9a-f]{4}"),
        template: "unknown program exception in {1}",
        stack: ripThenTrace(),
      },
    ],
  },
  {
    // kCFI: an indirect call to a function of the wrong type; x86 then traps with ud2
    // ("invalid opcode"), which is what the report is made of
    header: "CFI failure at ",
    formats: [
      {
        kind: "invalid-opcode",
        title: re("CFI failure at {{FUNC}}"),
        template: "CFI failure in {1}",
        noStackTrace: true,
      },
    ],
  },
  {
    // x86 IBT: an indirect call or jump landed on an instruction that is not an ENDBR
    // (arch/x86/kernel/ibt.c prints this, then WARNs); the target is the line's function
    header: "Missing ENDBR: ",
    formats: [
      {
        kind: "other",
        title: re("Missing ENDBR: {{FUNC}}"),
        template: "Missing ENDBR in {1}",
        noStackTrace: true,
      },
    ],
  },
  {
    // SysRq-l or a stall detector asking every CPU for its stack: a sample, not a crash
    header: "NMI backtrace for cpu ",
    formats: [
      {
        kind: "other",
        title: re("NMI backtrace for cpu [0-9]+"),
        template: "NMI backtrace in {1}",
        stack: ripThenTrace(),
      },
    ],
  },
  {
    // x86's die() line; alone (the fault line before it lost) it still opens the report
    header: "Oops: ",
    formats: [
      { kind: "other", title: re("^Oops: "), template: "Oops in {1}", stack: ripThenTrace() },
    ],
    // die() prints an error code, after a reason on newer kernels, or (powerpc) a reason and
    // the signal; prose ("Oops: I forgot the log") has neither
    suppress: [/Oops: (?![0-9a-f]{4} |[A-Z][\w ]+: [0-9a-f]{4} |[\w ]+, sig: \d+)/],
  },
  {
    header: "UBSAN:",
    formats: [
      {
        kind: "ubsan",
        title: re("UBSAN:"),
        report: re("UBSAN: Undefined behaviour in"),
        template: "UBSAN: undefined-behaviour in {1}",
        stack: traceOnly({ skip: ["ubsan", "overflow"] }),
      },
      {
        kind: "ubsan",
        title: re("UBSAN: array-index-out-of-bounds in"),
        template: "UBSAN: array-index-out-of-bounds in {1}",
        alt: ["bad-access in {1}"],
        stack: traceOnly({ skip: ["ubsan", "overflow"] }),
      },
      {
        kind: "ubsan",
        title: re("UBSAN:"),
        report: re("UBSAN: (.*?) in"),
        template: "UBSAN: {1} in {2}",
        stack: traceOnly({ skip: ["ubsan", "overflow"] }),
      },
    ],
  },
  {
    header: "Booting the kernel.",
    formats: [
      {
        kind: "other",
        title: re("^Booting the kernel"),
        template: "unexpected kernel reboot",
        noStackTrace: true,
      },
    ],
    // the fuzzer can echo boot messages back, e.g. as an invalid mount option
    suppress: [re("Parsing ELF|Decompressing Linux|Unknown parameter '")],
  },
  {
    header: "unregister_netdevice: waiting for",
    formats: [
      {
        kind: "other",
        title: re("unregister_netdevice: waiting for (?:.*) to become free"),
        template: "unregister_netdevice: waiting for DEV to become free",
        noStackTrace: true,
      },
    ],
  },
  {
    header: "VFS: Close: file count is 0",
    formats: [
      {
        kind: "other",
        title: re("VFS: Close: file count is 0"),
        template: "VFS: Close: file count is zero (use-after-free)",
        noStackTrace: true,
      },
    ],
  },
  {
    header: "VFS: Busy inodes after unmount",
    formats: [
      {
        kind: "other",
        title: re("VFS: Busy inodes after unmount"),
        template: "VFS: Busy inodes after unmount (use-after-free)",
        noStackTrace: true,
      },
    ],
  },
  {
    header: "trusty: panic",
    formats: [
      {
        kind: "panic",
        title: re("trusty: panic.* ASSERT FAILED"),
        report: re("trusty: panic \\(.*?\\):(?: DEBUG)? ASSERT FAILED at \\(.*?\\): (.+)"),
        template: "trusty: ASSERT FAILED: {1}",
        noStackTrace: true,
      },
      {
        kind: "panic",
        title: re("trusty: panic.* ASSERT FAILED.*: *(.*)"),
        template: "trusty: ASSERT FAILED: {1}",
        corrupted: true,
      },
      {
        kind: "panic",
        title: re("trusty: panic"),
        report: re("trusty: panic \\(.*?\\): (.+)"),
        template: "trusty: panic: {1}",
        noStackTrace: true,
      },
    ],
  },
  {
    // syzkaller's executor reports its own failures this way
    header: "SYZFAIL:",
    formats: [
      { kind: "other", title: re("SYZFAIL:(.*)"), template: "SYZFAIL:{1}", noStackTrace: true },
    ],
  },
  {
    header: "SYZFATAL:",
    formats: [
      {
        kind: "other",
        title: re("SYZFATAL:(.*)()"),
        template: "SYZFATAL:{1}",
        alt: ["SYZFATAL{2}"],
        noStackTrace: true,
      },
    ],
  },
  {
    // Go runtime panics (gVisor, syzkaller's own tools)
    header: "panic:",
    formats: [
      {
        kind: "panic",
        title: re("panic: Sentry detected .* stuck task"),
        template: "panic: Sentry detected stuck tasks",
        noStackTrace: true,
      },
      { kind: "panic", title: re("panic:(.*)"), template: "panic:{1}", noStackTrace: true },
    ],
    suppress: [
      // "panic:" inside a longer name is a driver's or function's prefix, not a Go panic:
      // skb_panic, skb_over_panic, lab_pvpanic ("lab_pvpanic: loading out-of-tree module")
      re("\\wpanic:"),
      re("xlog_status:"), // Android boot chatter
      re("ddb\\.onpanic:"),
      re("evtlog_status:"),
    ],
  },
];
