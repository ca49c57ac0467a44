import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/** Real case 120 (a VM_BUG_ON_PAGE in page-flags.h) with the BUG moved to another file. */
function riscvBugAt(file: string): string {
  return input("realworld:120").replace(
    "kernel BUG at include/linux/page-flags.h:1134!",
    `kernel BUG at ${file}!`,
  );
}

ruleTester("bug-assertion", {
  valid: [
    {
      name: "refcount_error_report's WARN in kernel/panic.c reports a put made elsewhere (224)",
      real: "realworld:224",
    },
    { name: "a NULL dereference names no assertion", real: "lab:nullread" },
    {
      name: "refcount_warn_saturate only reports its caller's misuse (ROCm kfd)",
      real: "realworld:349",
    },
    {
      name: "refcount underflow reported by refcount_warn_saturate (dattobd)",
      real: "realworld:329",
    },
    {
      name: "a vendor debug hook BUG()s on purpose after __might_resched's report",
      real: "realworld:322",
      at: "kernel BUG at kernel/sched/walt/walt_debug.c:16!",
    },
    { name: "a hung task asserts nothing", real: "realworld:210" },
    {
      name: "RHEL's deliberate 'hardware unsupported' WARN: no broken invariant is claimed",
      real: "realworld:207",
      notSummary: /invariant/,
    },
    { name: "a deliberate panic() when the root fs cannot be mounted", real: "realworld:304" },
    {
      name: "list debugging in __list_del_entry (before 4.10): no CHECK_DATA_CORRUPTION() to quote",
      input: input("realworld:421").replaceAll("__list_del_entry_valid", "__list_del_entry"),
      notSummary: /CHECK_DATA_CORRUPTION/,
    },
    {
      name: "include/linux/mm.h holds page, VMA and mm assertions: without a dump, no page story",
      input: riscvBugAt("include/linux/mm.h:1234"),
      notSummary: /page reference counts/,
    },
  ],
  invalid: [
    {
      name: "seed 004: the timer wheel base check in cascade",
      real: "seed:004",
      summary:
        /BUG_ON\(\) at kernel\/timer\.c:1105 in cascade \(BUG_ON\(tbase_get_base\(timer->base\) != base\)\) checks that every timer .* re-initialised .* while it was still pending/,
      evidence: "kernel BUG at kernel/timer.c:1105!",
      data: { file: "kernel/timer.c", line: 1105, function: "cascade" },
    },
    {
      name: "an unknown site: the module's own BUG_ON()",
      real: "lab:bugon",
      summary: /BUG_ON\(\) at drivers\/misc\/buggy\/buggy\.c:124 in buggy_check_state fired/,
    },
    {
      name: "a file whose assertions are known, but not this one: no check is quoted",
      input: input("lab:bugon").replace(
        "kernel BUG at drivers/misc/buggy/buggy.c:124!",
        "kernel BUG at mm/slub.c:124!",
      ),
      summary:
        /^The BUG_ON\(\) at mm\/slub\.c:124 in buggy_check_state is one of the assertions there that check that the slab allocator's free lists and object metadata are intact\. It usually fires when a double free/,
      data: { check: undefined },
    },
    {
      name: "list debugging",
      real: "lab:listdel",
      summary: /lib\/list_debug\.c:53 .* next\/prev pointers agree with its neighbours/,
    },
    {
      name: "list debugging on 5.13: the CHECK_DATA_CORRUPTION() check is quoted",
      real: "realworld:421",
      summary: /lib\/list_debug\.c:51 in __list_del_entry_valid \(CHECK_DATA_CORRUPTION\(\)/,
    },
    {
      name: "a WARN_ON()",
      real: "lab:warn",
      summary: /WARN_ON\(\) at drivers\/misc\/buggy\/buggy\.c:210 in buggy_validate fired/,
    },
    {
      name: "a 4.9 list-debug WARNING with the build's own path: a WARN_ON(), lib/list_debug.c",
      real: "realworld:164",
      summary: /^The WARN_ON\(\) at lib\/list_debug\.c:62 is one of the assertions there/,
      evidence: "WARNING: CPU: 4 PID: 0 at /build/linux-8fxPc5/linux-4.9.6/lib/list_debug.c:62",
    },
  ],
});
