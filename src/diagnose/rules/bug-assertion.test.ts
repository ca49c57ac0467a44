import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("bug-assertion", {
  valid: [{ name: "a NULL dereference names no assertion", input: input("lab:nullread") }],
  invalid: [
    {
      name: "seed 004: the timer wheel base check in cascade",
      input: input("seed:004"),
      summary:
        /BUG_ON\(\) at kernel\/timer\.c:1105 in cascade \(BUG_ON\(tbase_get_base\(timer->base\) != base\)\) checks that every timer .* re-initialised .* while it was still pending/,
      evidence: "kernel BUG at kernel/timer.c:1105!",
      data: { file: "kernel/timer.c", line: 1105, function: "cascade" },
    },
    {
      name: "an unknown site: the module's own BUG_ON()",
      input: input("lab:bugon"),
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
      input: input("lab:listdel"),
      summary: /lib\/list_debug\.c:53 .* next\/prev pointers agree with its neighbours/,
    },
    {
      name: "a WARN_ON()",
      input: input("lab:warn"),
      summary: /WARN_ON\(\) at drivers\/misc\/buggy\/buggy\.c:210 in buggy_validate fired/,
    },
  ],
});
