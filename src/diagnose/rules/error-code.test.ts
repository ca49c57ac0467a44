import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("error-code", {
  valid: [
    { name: "a general protection fault has no page-fault code", input: input("lab:gpf") },
    { name: "a BUG_ON() has none either", input: input("lab:bugon") },
  ],
  invalid: [
    {
      name: "seed 002: Oops 0002",
      input: input("seed:002"),
      summary: /error code 0002 means a write, to a page that is not present, in kernel mode/,
      evidence: "Oops: 0002 [#1] SMP",
      data: { value: 2, write: true, present: false, user: false },
    },
    {
      name: "6.1 kernel with #PF lines",
      input: input("lab:nullread"),
      summary:
        /error code 0000 means a read, .* \(the kernel says: supervisor read access in kernel mode; error_code\(0x0000\) - not-present page\)/,
      evidence: "#PF: supervisor read access in kernel mode",
    },
  ],
});
