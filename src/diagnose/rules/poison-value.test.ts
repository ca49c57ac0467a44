import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/**
 * The lab's nullwrite oops turned into list_del() storing LIST_POISON2 into an entry at NULL:
 * `mov %rdx,0x48(%rdi)` with rdx = LIST_POISON2, optionally loaded by a `movabs` just before.
 */
function listDelWrite(code: string): string {
  return input("lab:nullwrite")
    .replace("<48> c7 47 48 00 00 00 00", code)
    .replace("RDX: 0000000000000000", "RDX: dead000000000122");
}

ruleTester("poison-value", {
  valid: [
    { name: "a plain NULL dereference", real: "lab:nullread" },
    { name: "seed 002", real: "seed:002" },
    {
      name: "dead000000000122 in a page dump is an unused page field, not a freed object (riscv64)",
      real: "realworld:120",
    },
    {
      name: "R10/R12 = dffffc0000000000 is the KASAN shadow offset, not a poison",
      real: "realworld:312",
    },
    {
      name: "R11 = fefefefefefefeff is strscpy's word-at-a-time constant",
      real: "realworld:334",
    },
    {
      name: "a non-canonical garbage pointer is no poison pattern",
      real: "realworld:421",
    },
    {
      name: "list_del storing LIST_POISON2: the register holds what the code writes",
      input: listDelWrite("<48> 89 57 48 90 90 90 90"),
    },
    {
      name: "LIST_POISON2 loaded as a constant by the function itself, then a read faults",
      input: listDelWrite("48 ba 22 01 00 00 00 00 ad de <48> 8b 47 48 90").replace(
        "buggy_reset_counter.constprop.0+0x5/0x20",
        "buggy_reset_counter.constprop.0+0xf/0x20",
      ),
    },
  ],
  invalid: [
    {
      name: "TAIL_MAPPING read from a page's ->mapping (0x18) in dattobd's make_request hook",
      real: "realworld:152",
      summary:
        /rcx is 0xdead000000000400 = TAIL_MAPPING: the ->mapping of a tail page of a compound page/,
      evidence: "RCX: dead000000000400",
    },
    {
      name: "following LIST_POISON1 after list_del()",
      real: "lab:gpf",
      summary:
        /the fault address is 0xdead000000000110 = LIST_POISON1 \+ 0x10: the ->next of a list entry already removed .*\. The entry was used after it was unlinked\.$/,
      evidence: "non-canonical address 0xdead000000000110",
    },
    {
      name: "a double list_del() leaves LIST_POISON values in registers",
      real: "lab:listdel",
      summary: /= LIST_POISON/,
    },
    {
      name: "slab in-use poison in a register means an uninitialised read, not a use-after-free",
      input: input("lab:nullread").replace("RBX: 0000000000000009", "RBX: 5a5a5a5a5a5a5a5a"),
      summary:
        /rbx is 0x5a5a5a5a5a5a5a5a = POISON_INUSE: .*\. The object was read before it was initialised\.$/,
    },
    {
      name: "freed-slab poison in the register the GPF read through (radeon)",
      real: "realworld:201",
      at: "Pid: 1473, comm: Xorg",
      summary: /^rsi is 0x6b6b6b6b6b6b6b6b = POISON_FREE/,
    },
  ],
});
