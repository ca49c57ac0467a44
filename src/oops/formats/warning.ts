/**
 * @module oops/formats/warning
 * Reports that start with "WARNING:": WARN_ON()s (titled by the subsystem that warned),
 * lockdep's lock-order reports, and RCU-usage checks.
 */
import { CALL_TRACE, re } from "../patterns.js";
import { traceOnly, warningStack } from "./common.js";
import { type OopsGroup, TRACE } from "./types.js";

export const warningGroup: OopsGroup = {
  header: "WARNING:",
  formats: [
    {
      kind: "warning",
      title: re("WARNING: .*lib/debugobjects\\.c.* (?:debug_print|debug_check|at)"),
      template: "WARNING: ODEBUG bug in {1}",
      // users of ODEBUG are skipped as well
      stack: warningStack(
        "debug_",
        "rcu",
        "hrtimer_",
        "timer_",
        "work_",
        "percpu_",
        "vunmap",
        "vfree",
        "__free_",
        "debug_check",
        "kobject_",
      ),
    },
    {
      kind: "warning",
      title: re("WARNING: .*mm/usercopy\\.c.* (?:usercopy_warn|at)"),
      template: "WARNING: bad usercopy in {1}",
      stack: warningStack("usercopy", "__check"),
    },
    {
      kind: "warning",
      title: re("WARNING: .*lib/kobject\\.c.* (?:kobject_|at)"),
      template: "WARNING: kobject bug in {1}",
      stack: warningStack("kobject_"),
    },
    {
      kind: "warning",
      title: re("WARNING: .*fs/proc/generic\\.c.* (?:proc_register|at)"),
      template: "WARNING: proc registration bug in {1}",
      stack: warningStack("proc_"),
    },
    {
      kind: "warning",
      title: re("WARNING: .*lib/refcount\\.c.* (?:refcount_|at)"),
      template: "WARNING: refcount bug in {1}",
      stack: warningStack("refcount", "kobject_"),
    },
    {
      kind: "warning",
      title: re("WARNING: .*kernel/locking/lockdep\\.c.*lock_"),
      template: "WARNING: locking bug in {1}",
      stack: warningStack("lock_sock", "release_sock"),
    },
    {
      kind: "warning",
      title: re("WARNING: .*still has locks held!"),
      report: re("WARNING: .*still has locks held!(?:.*\\n)+?.*at: {{FUNC}}"),
      template: "WARNING: still has locks held in {1}",
    },
    {
      kind: "warning",
      title: re("WARNING: Nested lock was not taken"),
      template: "WARNING: nested lock was not taken in {1}",
      stack: warningStack(),
    },
    {
      kind: "warning",
      title: re("WARNING: lock held when returning to user space"),
      report: re(
        "WARNING: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel with locks still held(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}",
      ),
      template: "WARNING: lock held when returning to user space in {1}",
      noStackTrace: true,
    },
    {
      kind: "warning",
      title: re("WARNING: .*mm/.*\\.c.* k?.?malloc"),
      template: "WARNING: kmalloc bug in {1}",
      stack: warningStack("kmalloc", "krealloc", "slab", "kmem"),
    },
    {
      kind: "warning",
      title: re("WARNING: .*mm/vmalloc.c.*__vmalloc_node"),
      template: "WARNING: zero-size vmalloc in {1}",
      stack: warningStack(),
    },
    {
      kind: "warning",
      title: re("WARNING: .* usb_submit_urb"),
      template: "WARNING in {1}/usb_submit_urb",
      stack: warningStack(
        "usb_submit_urb",
        "usb_start_wait_urb",
        "usb_bulk_msg",
        "usb_interrupt_msg",
        "usb_control_msg",
      ),
    },
    {
      // the 2025 format: "WARNING: kernel/foo.c:12 at 0x…, CPU#0: …"
      kind: "warning",
      title: re("WARNING: {{SRC}} at 0x\\d+, CPU#\\d+"),
      template: "WARNING in {2}",
      stack: warningStack(),
    },
    {
      // the 2025 format with the function: "WARNING: fs/buffer.c:1183 at f+0x…, CPU#1: …";
      // the function is already in the header, the title names its caller
      kind: "warning",
      title: re("WARNING: {{SRC}} at {{FUNC}}.*, CPU#\\d+"),
      template: "WARNING in {3}",
      stack: traceOnly(),
    },
    {
      kind: "warning",
      title: re("WARNING: .* at {{SRC}} {{FUNC}}"),
      template: "WARNING in {3}",
      stack: warningStack(),
    },
    {
      kind: "warning",
      title: re("WARNING: {{SRC}} at {{FUNC}}"),
      template: "WARNING in {3}",
      stack: warningStack(),
    },
    {
      kind: "warning",
      title: re("WARNING: \\[.*\\] {{SRC}} at {{FUNC}}.*"),
      template: "WARNING in {3}",
      stack: warningStack(),
    },
    {
      kind: "warning",
      title: re("WARNING: possible circular locking dependency detected"),
      report: re(
        "WARNING: possible circular locking dependency detected(?:.*\\n)+?.*is trying to acquire lock",
      ),
      template: "possible deadlock in {1}",
      stack: {
        parts: [re("at: (?:{{PC}} +)?{{FUNC}}"), re("at: (?:{{PC}} +)?{{FUNC}}"), TRACE],
        // workqueue functions take locks of work items: such deadlocks are the work's
        skip: ["process_one_work", "flush_workqueue", "drain_workqueue", "destroy_workqueue"],
      },
    },
    {
      kind: "warning",
      title: re("WARNING: possible irq lock inversion dependency detected"),
      report: re(
        "WARNING: possible irq lock inversion dependency detected(?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}",
      ),
      template: "possible deadlock in {1}",
    },
    {
      kind: "warning",
      title: re("WARNING: .*-safe -> .*-unsafe lock order detected"),
      template: "possible deadlock in {1}",
      stack: { parts: [re("which became (?:.*) at:"), TRACE] },
    },
    {
      kind: "warning",
      title: re("WARNING: possible recursive locking detected"),
      report: re(
        "WARNING: possible recursive locking detected(?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}",
      ),
      template: "possible deadlock in {1}",
    },
    {
      kind: "warning",
      title: re("WARNING: inconsistent lock state"),
      report: re(
        "WARNING: inconsistent lock state(?:.*\\n)+?.*takes(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}",
      ),
      template: "inconsistent lock state in {2}",
      stack: traceOnly(),
    },
    {
      kind: "warning",
      title: re("WARNING: suspicious RCU usage"),
      report: re("WARNING: suspicious RCU usage(?:.*\\n)+?.*?{{SRC}}"),
      template: "WARNING: suspicious RCU usage in {2}",
      stack: traceOnly({ skip: ["rcu", "kmem", "slab"] }),
    },
    {
      kind: "warning",
      title: re("WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value"),
      template: "WARNING: kernel stack regs has bad '{1}' value",
      noStackTrace: true,
    },
    {
      kind: "warning",
      title: re("WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value"),
      template: "WARNING: kernel stack frame pointer has bad value",
      noStackTrace: true,
    },
    {
      kind: "warning",
      title: re("WARNING: bad unlock balance detected!"),
      template: "WARNING: bad unlock balance in {1}",
      stack: { parts: [re("{{PC}} +{{FUNC}}"), CALL_TRACE, TRACE] },
    },
    {
      kind: "warning",
      title: re("WARNING: held lock freed!"),
      report: re("WARNING: held lock freed!(?:.*\\n)+?.*at:(?: {{PC}})? +{{FUNC}}"),
      template: "WARNING: held lock freed in {1}",
    },
    {
      kind: "warning",
      title: re("WARNING: kernel stack regs .* has bad 'bp' value"),
      template: "WARNING: kernel stack regs has bad value",
      noStackTrace: true,
    },
    {
      kind: "warning",
      title: re("WARNING: kernel stack frame pointer .* has bad value"),
      template: "WARNING: kernel stack regs has bad value",
      noStackTrace: true,
    },
    {
      kind: "warning",
      title: re("WARNING:[[:space:]]*(?:\\n|$)"),
      template: "WARNING: corrupted",
      corrupted: true,
    },
  ],
  suppress: [
    re("WARNING: /etc/ssh/moduli does not exist, using fixed modulus"), // sshd
    re("WARNING: workqueue cpumask: online intersect > possible intersect"),
    re("WARNING: [Tt]he mand mount option"),
    re("WARNING: Unsupported flag value\\(s\\) of 0x%x in DT_FLAGS_1"), // glibc
    re("WARNING: Unprivileged eBPF is enabled with eIBRS"),
    re(
      "WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size (\\((?:\\d+)x(?:\\d+) vs\\. (?:\\d+)x(?:\\d+)\\))",
    ),
    re("WARNING: See https.* for mitigation options."),
    re("WARNING: kernel not compiled with CPU_SRSO"),
    re("EXT4-[Ff][Ss](?: \\(.*\\))?:"), // __ext4_msg
    re("warning: .* uses (deprecated v2 capabilities|wireless extensions)", "i"),
    re("XFS \\(\\w+\\): WARNING"),
  ],
};
