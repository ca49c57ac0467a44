/**
 * @module oops/formats/bug
 * Reports that start with "BUG:": sanitizers (KASAN, KMSAN, KCSAN, KFENCE), faults printed by
 * the page-fault handler, lockups, and the kernel's debug checks.
 */
import { CALL_TRACE, re } from "../patterns.js";
import { ripThenTrace, traceOnly } from "./common.js";
import { type OopsGroup, TRACE } from "./types.js";

const UNINIT_ORIGIN = re("(Local variable .* created at:|Uninit was created at:)");

export const bugGroup: OopsGroup = {
  header: "BUG:",
  formats: [
    {
      kind: "kasan",
      title: re("BUG: KASAN:"),
      report: re(
        "BUG: KASAN: ([a-z\\-]+) in {{FUNC}}(?:.*\\n)+?.*(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)",
      ),
      template: "KASAN: {1} {3} in {4}",
      alt: ["bad-access in {4}"],
      stack: {
        parts: [re("BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}"), CALL_TRACE, TRACE],
        // frames of KASAN_HW_TAGS reports
        skip: ["kernel_fault", "tag_check", "mem_abort", "^el1_", "^el1h_"],
      },
    },
    {
      kind: "kasan",
      title: re("BUG: KASAN:"),
      report: re(
        "BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}",
      ),
      template: "KASAN: invalid-free in {2}",
      alt: ["invalid-free in {2}"],
      stack: {
        parts: [
          re("BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}"),
          CALL_TRACE,
          TRACE,
        ],
        skip: ["slab_", "kfree", "vunmap", "vfree"],
      },
    },
    {
      kind: "kasan",
      title: re("BUG: KASAN: ([a-z\\-]+) on address(?:.*\\n)+?.*(Read|Write) of size ([0-9]+)"),
      template: "KASAN: {1} {2}",
    },
    { kind: "kasan", title: re("BUG: KASAN: (.*)"), template: "KASAN: {1}", corrupted: true },
    {
      kind: "kasan",
      title: re("BUG: KMSAN: kernel-usb-infoleak"),
      report: re("BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}"),
      template: "KMSAN: kernel-usb-infoleak in {2}",
      alt: ["KMSAN origin in {3}"],
      stack: {
        parts: [TRACE, UNINIT_ORIGIN, TRACE],
        skip: [
          "alloc_skb",
          "usb_submit_urb",
          "usb_start_wait_urb",
          "usb_bulk_msg",
          "usb_interrupt_msg",
          "usb_control_msg",
        ],
      },
      noStackTrace: true,
    },
    {
      kind: "kasan",
      title: re("BUG: KMSAN:"),
      report: re("BUG: KMSAN: ([a-z\\-]+) in {{FUNC}}"),
      template: "KMSAN: {1} in {3}",
      alt: ["bad-access in {3}"],
      stack: {
        parts: [TRACE, UNINIT_ORIGIN, TRACE],
        // encryption routines are where the bug is hit, but generic code makes a bad title
        skip: [
          "alloc_skb",
          "netlink_ack",
          "netlink_rcv_skb",
          "_encrypt$",
          "^(?:crypto|cipher|drbg|rng)_",
        ],
      },
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: KCSAN: data-race"),
      report: re("BUG: KCSAN: (.*)"),
      template: "KCSAN: {1}",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: KCSAN:"),
      report: re("BUG: KCSAN: (.*)"),
      template: "KCSAN: {1}",
      noStackTrace: true,
    },
    {
      kind: "kasan",
      title: re("BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}"),
      template: "KFENCE: {1} {2} in {4}",
      alt: ["bad-access in {4}"],
      stack: { parts: [re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), TRACE] },
    },
    {
      kind: "kasan",
      title: re("BUG: KFENCE: invalid free in {{FUNC}}"),
      template: "KFENCE: invalid free in {2}",
      alt: ["invalid-free in {2}"],
      noStackTrace: true,
      stack: { parts: [re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), TRACE] },
    },
    {
      kind: "kasan",
      title: re("BUG: KFENCE: invalid (read|write) in {{FUNC}}"),
      template: "KFENCE: invalid {1} in {3}",
      alt: ["bad-access in {3}"],
      stack: { parts: [re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), TRACE] },
    },
    {
      kind: "kasan",
      title: re("BUG: KFENCE: memory corruption in {{FUNC}}"),
      template: "KFENCE: memory corruption in {2}",
      noStackTrace: true,
      stack: { parts: [re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), TRACE] },
    },
    {
      kind: "paging-request",
      title: re(
        "BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)",
      ),
      template: "BUG: unable to handle kernel paging request in {1}",
      alt: ["bad-access in {1}"],
      stack: ripThenTrace(),
    },
    {
      kind: "null-deref",
      title: re(
        "BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)",
      ),
      template: "BUG: unable to handle kernel NULL pointer dereference in {1}",
      alt: ["bad-access in {1}"],
      stack: ripThenTrace(),
    },
    {
      // the kernel prints this header in two printk calls; the second half may be lost
      kind: "paging-request",
      title: re("BUG: (?:unable to handle kernel|Unable to handle kernel)"),
      template: "BUG: unable to handle kernel",
      corrupted: true,
    },
    {
      kind: "other",
      title: re(
        "BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)",
      ),
      template: "BUG: {1} {2} in {3}",
      stack: traceOnly({ skip: ["spin_", "_lock", "_unlock"] }),
    },
    {
      kind: "soft-lockup",
      title: re("BUG: soft lockup"),
      template: "BUG: soft lockup in {1}",
      alt: ["stall in {1}"],
      stack: ripThenTrace({ extractor: "stall" }),
    },
    {
      kind: "other",
      title: re("BUG: .*still has locks held!"),
      report: re("BUG: .*still has locks held!(?:.*\\n)+?.*{{PC}} +{{FUNC}}"),
      template: "BUG: still has locks held in {1}",
    },
    {
      kind: "other",
      title: re("BUG: scheduling while atomic"),
      template: "BUG: scheduling while atomic in {1}",
      stack: traceOnly({ skip: ["schedule"] }),
    },
    {
      kind: "other",
      title: re("BUG: lock held when returning to user space"),
      report: re(
        "BUG: lock held when returning to user space(?:.*\\n)+?.*leaving the kernel with locks still held(?:.*\\n)+?.*at: (?:{{PC}} +)?{{FUNC}}",
      ),
      template: "BUG: lock held when returning to user space in {1}",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: bad unlock balance detected!"),
      template: "BUG: bad unlock balance in {1}",
      stack: { parts: [re("{{PC}} +{{FUNC}}"), CALL_TRACE, TRACE] },
    },
    {
      kind: "other",
      title: re("BUG: held lock freed!"),
      report: re("BUG: held lock freed!(?:.*\\n)+?.*{{PC}} +{{FUNC}}"),
      template: "BUG: held lock freed in {1}",
    },
    {
      kind: "other",
      title: re("BUG: Bad rss-counter state"),
      template: "BUG: Bad rss-counter state",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: non-zero nr_ptes on freeing mm"),
      template: "BUG: non-zero nr_ptes on freeing mm",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: non-zero nr_pmds on freeing mm"),
      template: "BUG: non-zero nr_pmds on freeing mm",
      noStackTrace: true,
    },
    {
      // file system type and block device would split one bug into many titles
      kind: "other",
      title: re("BUG: Dentry .* still in use"),
      report: re("BUG: Dentry .* still in use \\([0-9]+\\) \\[(unmount) of ([^\\]]+)\\]"),
      template: "BUG: Dentry still in use in {1}",
      alt: ["BUG: Dentry still in use [{1} of {2}]"],
    },
    {
      kind: "other",
      title: re("BUG: Bad page (state|cache)"),
      template: "BUG: Bad page {1} in {2}",
      stack: {
        parts: [re("page last allocated"), TRACE],
        skip: [
          "(free|put|get|update|release)_page",
          "free_unref",
          "^_*folio",
          "truncate_inode_pages",
          "page_frag_free",
          "alloc",
          "vmap",
          "page_owner",
        ],
      },
    },
    { kind: "other", title: re("BUG: Bad page map"), template: "BUG: Bad page map" },
    {
      kind: "other",
      title: re("BUG: workqueue lockup"),
      template: "BUG: workqueue lockup",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: sleeping function called from invalid context at (.*)"),
      template: "BUG: sleeping function called from invalid context in {2}",
      stack: traceOnly(),
    },
    {
      kind: "other",
      title: re("BUG: using ([a-z_]+)\\(\\) in preemptible"),
      template: "BUG: using {1}() in preemptible code in {2}",
      stack: traceOnly({
        skip: ["dump_stack", "preemption", "preempt", "debug_", "processor_id", "this_cpu"],
      }),
    },
    {
      kind: "other",
      title: re("BUG: workqueue leaked lock or atomic"),
      report: re(
        "BUG: workqueue leaked lock or atomic(?:.*\\n)+?.*last function: ([a-zA-Z0-9_]+)\\n",
      ),
      template: "BUG: workqueue leaked lock or atomic in {1}",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG: memory leak"),
      template: "memory leak in {1}",
      stack: {
        parts: [re("backtrace(?: \\(crc [[:xdigit:]]*\\))?:"), TRACE],
        skip: [
          "kmemleak",
          "mmap",
          "kmem",
          "slab",
          "alloc",
          "create_object",
          "idr_get",
          "list_lru_init",
          "kasprintf",
          "kvasprintf",
          "pcpu_create",
          "strdup",
          "strndup",
          "memdup",
        ],
      },
    },
    {
      kind: "stack-overflow",
      title: re("BUG: .*stack guard page was hit at"),
      template: "BUG: stack guard page was hit in {1}",
      alt: ["stack-overflow in {1}"],
      stack: ripThenTrace({ extractor: "stall" }),
    },
    {
      // arm/arm64 print this differently from amd64; keep amd64's title so they group
      kind: "warning",
      title: re("BUG: Invalid wait context"),
      template: "WARNING: locking bug in {1}",
      stack: traceOnly({ skip: ["lock_sock", "release_sock"] }),
    },
    {
      // x86 FRED: an event the kernel cannot handle (an NMI or #MC at a bad moment)
      kind: "other",
      title: re("BUG: invalid or fatal FRED event"),
      template: "BUG: invalid or fatal FRED event",
      noStackTrace: true,
    },
    {
      kind: "other",
      title: re("BUG:[[:space:]]*(?:\\n|$)"),
      template: "BUG: corrupted",
      corrupted: true,
    },
  ],
  suppress: [
    re("ODEBUG:"), // CONFIG_DEBUG_OBJECTS output
    re("Boot_DEBUG:"), // Android boot chatter
    re("xlog_status:"),
    re("DEBUG:"), // Android ART debug output
    re("BUG: no syscalls can create resource"), // syzkaller host checks
    re("BUG: arch topology borken"), // a sched-domain printk, not a crash
  ],
};
