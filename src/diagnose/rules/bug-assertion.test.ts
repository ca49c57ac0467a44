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
