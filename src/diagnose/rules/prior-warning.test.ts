import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("prior-warning", {
  valid: [{ name: "tainted only by modules", input: input("lab:nullread") }],
  invalid: [
    {
      name: "seed 004: taint W",
      input: input("seed:004"),
      summary: /tainted W: a WARNING was issued before this report/,
      evidence: "Tainted: G        W  OE",
      data: { taint: "W" },
    },
    {
      name: "an earlier WARNING in the same input",
      input: `${input("lab:warn").split("Kernel panic")[0]}\n${input("lab:nullread")}`,
      report: 1,
      summary: /An earlier WARNING in this input \("WARNING in buggy_validate"/,
    },
    {
      name: "an earlier oops in the same input, not a taint-only guess",
      input: `${input("lab:nullwrite").split("Kernel panic")[0]}\n${input("lab:nullread")}`,
      report: 1,
      summary:
        /An earlier report in this input \("BUG: unable to handle kernel NULL pointer dereference in buggy_reset_counter"/,
    },
  ],
});
