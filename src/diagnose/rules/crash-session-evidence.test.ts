import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("crash-session-evidence", {
  valid: [{ name: "no crash session", input: input("lab:nullread") }],
  invalid: [
    {
      name: "seed 002: the write queue's prev is NULL",
      input: input("seed:002"),
      summary: /`p \(\(struct sock \*\) 0xffff8801089c8f00\)->sk_write_queue`: prev = 0x0 \(NULL\)/,
      evidence: "prev = 0x0",
    },
    {
      name: "seed 004: the timer belongs to neigh_timer_handler and was never armed",
      input: input("seed:004"),
      summary:
        /`timer_list ffff88102ee1fe58`: .*expires = 0 \(the timer was \(re\)initialised and never armed\), function = neigh_timer_handler/,
      evidence: "neigh_timer_handler",
    },
    {
      name: "seed 001: the exception frame holds RDI = 0",
      input: input("seed:001"),
      summary: /exception frame at __free_pages\+5 records .*rdi.* = 0/,
      evidence: "[exception RIP: __free_pages+5]",
    },
  ],
});
