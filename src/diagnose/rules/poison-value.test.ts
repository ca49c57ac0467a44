import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("poison-value", {
  valid: [
    { name: "a plain NULL dereference", input: input("lab:nullread") },
    { name: "seed 002", input: input("seed:002") },
  ],
  invalid: [
    {
      name: "following LIST_POISON1 after list_del()",
      input: input("lab:gpf"),
      summary:
        /the fault address is 0xdead000000000110 = LIST_POISON1 \+ 0x10: the ->next of a list entry already removed .*\. The entry was used after it was unlinked\.$/,
      evidence: "non-canonical address 0xdead000000000110",
    },
    {
      name: "a double list_del() leaves LIST_POISON values in registers",
      input: input("lab:listdel"),
      summary: /= LIST_POISON/,
    },
    {
      name: "slab in-use poison in a register means an uninitialised read, not a use-after-free",
      input: input("lab:nullread").replace("RBX: 0000000000000009", "RBX: 5a5a5a5a5a5a5a5a"),
      summary:
        /rbx is 0x5a5a5a5a5a5a5a5a = POISON_INUSE: .*\. The object was read before it was initialised\.$/,
    },
  ],
});
