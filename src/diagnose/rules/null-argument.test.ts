import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("null-argument", {
  valid: [
    { name: "r15 is no argument register (seed 000)", real: "seed:000" },
    { name: "rax is no argument register (seed 002)", real: "seed:002" },
    { name: "a GPF through a poisoned pointer", real: "lab:gpf" },
    {
      name: "rdi NULL but the fault address is not rdi + 0x48: the registers do not explain it",
      input: input("lab:nullwrite").replace(
        "BUG: kernel NULL pointer dereference, address: 0000000000000048",
        "BUG: kernel NULL pointer dereference, address: 0000000000000058",
      ),
    },
    {
      name: "the listing shows rdi overwritten before the fault: nobody passed that NULL",
      input: input("lab:nullread").replace(
        "0f 1f 44 00 00 <48> 8b 87",
        "48 89 c7 66 90 <48> 8b 87",
      ),
    },
    {
      name: "arm64: x4 is loaded 0xb4 bytes into default_suspend_ok, out of the Code: window",
      real: "realworld:112",
    },
    {
      name: "arm64: x23 is __queue_work's value after a call, no argument (syzbot GCE)",
      real: "realworld:114",
    },
    {
      name: "rax = 0x400, a bogus list link, is not a NULL anyone passed",
      real: "realworld:345",
    },
    {
      name: "address 0x1 with rax = 1: a corrupted hash-chain pointer, not a NULL argument (zfs)",
      real: "realworld:211",
    },
    {
      name: "a RIP-relative store has no pointer register at all (nvidia-open)",
      real: "realworld:348",
    },
  ],
  invalid: [
    {
      name: "seed 001: ceph passes NULL to __free_pages",
      real: "seed:001",
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
      real: "lab:nullread",
      // the callee is module code, not a core helper: the finding must not move the blame,
      // because the culprit (which follows `blameCaller`) stays on buggy_read_status
      summary:
        /rdi is the 1st argument of buggy_read_status .* buggy_do_nullread \[buggy\] passed NULL \(0x0\)\.$/,
      data: { caller: "buggy_do_nullread", blameCaller: false },
    },
    {
      name: "arm32 strcmp at entry: r0 was NULL from its caller (Orange Pi ASoC)",
      real: "realworld:116",
      summary:
        /^r0 is the 1st argument of strcmp \(AAPCS\) .* passed NULL \(0x0\), so the blame is on the caller/,
    },
  ],
});
