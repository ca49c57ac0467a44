import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("null-argument", {
  valid: [
    { name: "r15 is no argument register (seed 000)", input: input("seed:000") },
    { name: "rax is no argument register (seed 002)", input: input("seed:002") },
    { name: "a GPF through a poisoned pointer", input: input("lab:gpf") },
    {
      name: "rdi NULL but the fault address is not rdi + 0x48: the registers do not explain it",
      input: input("lab:nullwrite").replace(
        "BUG: kernel NULL pointer dereference, address: 0000000000000048",
        "BUG: kernel NULL pointer dereference, address: 0000000000000058",
      ),
    },
  ],
  invalid: [
    {
      name: "seed 001: ceph passes NULL to __free_pages",
      input: input("seed:001"),
      summary: /rdi is the 1st argument of __free_pages .* ceph_aio_read \[ceph\] passed NULL/,
      evidence: "RDI: 0000000000000000",
      data: {
        argument: 1,
        callee: "__free_pages",
        caller: "ceph_aio_read",
        callerModule: "ceph",
        blameCaller: true,
      },
    },
    {
      name: "lab nullread: buggy_do_nullread passes NULL",
      input: input("lab:nullread"),
      // the callee is module code, not a core helper: the finding must not move the blame,
      // because the culprit (which follows `blameCaller`) stays on buggy_read_status
      summary:
        /rdi is the 1st argument of buggy_read_status .* buggy_do_nullread \[buggy\] passed NULL \(0x0\)\.$/,
      data: { caller: "buggy_do_nullread", blameCaller: false },
    },
  ],
});
