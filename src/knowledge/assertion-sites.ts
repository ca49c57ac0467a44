/**
 * @module knowledge/assertion-sites
 * Well-known BUG_ON()/WARN_ON() sites: what the assertion checks, the invariant it protects,
 * and what usually breaks it. Matched by source file (and function when several assertions
 * share a file). Facts from the kernel sources; the wording is ours.
 */

export interface AssertionSite {
  file: RegExp;
  function?: RegExp;
  /** the check as written in the source, when one check is known for the site */
  check?: string;
  /** `check` is there only in the source layout whose fired function matches this (feature
   * detection, not release numbers, which distributions' backports make unreliable) */
  checkIn?: RegExp;
  /** the invariant, as a clause ("… stay consistent"): it follows "checks that" */
  protects: string;
  usualCause: string;
  nextStep: string;
}

/** What the timer wheel's assertions guard, whichever check fired. */
const TIMER_WHEEL = {
  protects: "every timer queued on a CPU's timer wheel belongs to that wheel's base",
  usualCause:
    "a timer was re-initialised (init_timer/setup_timer) or its memory freed and reused while it was still pending",
  nextStep:
    "identify the timer from the register holding it (crash: `struct timer_list <address>`): its `function` names the owner; look for upstream fixes to that owner's mod_timer/del_timer use around object teardown",
};

export const assertionSites: readonly AssertionSite[] = [
  {
    // the cascading timer wheel (before 4.8) checks each timer it moves down a level
    file: /^kernel\/timer\.c$/,
    function: /^cascade/,
    check: "BUG_ON(tbase_get_base(timer->base) != base)",
    protects: TIMER_WHEEL.protects,
    usualCause: TIMER_WHEEL.usualCause,
    nextStep: TIMER_WHEEL.nextStep,
  },
  {
    file: /^kernel\/(?:time\/)?timer\.c$/,
    function:
      /^(?:__run_timers|detach_timer|internal_add_timer|enqueue_timer|collect_expired_timers)/,
    ...TIMER_WHEEL,
  },
  {
    file: /^lib\/list_debug\.c$/,
    check: "CHECK_DATA_CORRUPTION() in __list_add_valid() / __list_del_entry_valid()",
    // since v4.10 the checks are __list_add_valid()/__list_del_entry_valid() (6.6+:
    // …_valid_or_report()); before, __list_add()/__list_del_entry() WARN()ed themselves
    checkIn: /^__list_(?:add|del_entry)_valid/,
    protects: "a list entry's next/prev pointers agree with its neighbours",
    usualCause:
      "an entry deleted or added twice, or a list corrupted by a use-after-free (LIST_POISON values in the message mean a deleted entry was used again)",
    nextStep:
      "the first caller of list_add/list_del on the stack owns the list: audit its locking and object lifetime",
  },
  {
    file: /^mm\/usercopy\.c$/,
    check: "usercopy_abort() (CONFIG_HARDENED_USERCOPY)",
    protects: "copies between user space and kernel objects stay within one object",
    usualCause:
      "a length computed from user input or a stale size overran a slab object or the stack",
    nextStep:
      "check the length passed to copy_to_user/copy_from_user by the first non-generic caller",
  },
  {
    file: /^(?:include\/linux\/skbuff\.h|net\/core\/skbuff\.c)$/,
    check: "skb_over_panic() / skb_under_panic()",
    protects: "skb_put/skb_push stay inside the buffer",
    usualCause: "a protocol or driver wrote more headers or data than it reserved room for",
    nextStep:
      "the caller of skb_put/skb_push on the stack computed the length: check it against skb_tailroom/headroom",
  },
  {
    file: /^mm\/sl[au]b\.c$/,
    protects: "the slab allocator's free lists and object metadata are intact",
    usualCause: "a double free, a free of a foreign pointer, or an overrun into the next object",
    nextStep:
      "boot with slub_debug=FZPU (or KASAN) to catch the first corruption instead of its consequence",
  },
  {
    file: /^(?:mm\/(?:page_alloc|huge_memory|memory|rmap|filemap|swap|gup)\.c|include\/linux\/(?:mm|page-flags|page_ref)\.h)$/,
    protects: "page reference counts, mapping counts and page flags stay consistent",
    usualCause: "a put_page()/folio_put() too many, or a page freed while still mapped",
    nextStep:
      "enable CONFIG_DEBUG_VM and page_owner to find who took and dropped the page references",
  },
  {
    file: /^fs\/buffer\.c$/,
    protects: "buffer-head state (locked, uptodate, mapped) matches the operation",
    usualCause: "I/O submitted on a buffer in the wrong state, often after a filesystem error",
    nextStep:
      "check the filesystem messages just before the BUG for I/O errors or corruption reports",
  },
  {
    file: /^fs\/(?:ext4|jbd2)\//,
    protects: "ext4/jbd2 journal and extent invariants hold",
    usualCause: "on-disk corruption or a filesystem bug in the path on the stack",
    nextStep:
      "run e2fsck on the filesystem and look for upstream ext4 fixes to the function named in the title",
  },
];

export function findAssertionSite(file: string, fn: string | undefined): AssertionSite | undefined {
  return assertionSites.find(
    (s) => s.file.test(file) && (!s.function || (fn !== undefined && s.function.test(fn))),
  );
}
