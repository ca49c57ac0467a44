import { ruleTester } from "../rule-tester.js";

ruleTester("error-code", {
  valid: [
    { name: "a general protection fault has no page-fault code", real: "lab:gpf" },
    { name: "a BUG_ON() has none either", real: "lab:bugon" },
    {
      name: "a 2.6 GPF's 0000 is a segment selector, not page-fault bits (radeon)",
      real: "realworld:201",
      at: "Pid: 1473, comm: Xorg",
    },
    { name: "arm64's ESR is no x86 page-fault error code (R-Car)", real: "realworld:112" },
    { name: "a hung task has no error code (zfs txg_sync)", real: "realworld:404" },
    { name: "an s390 WARN_ON is a monitor event, not a page fault", real: "realworld:101" },
  ],
  invalid: [
    {
      name: "seed 002: Oops 0002",
      real: "seed:002",
      summary: /error code 0002 means a write, to a page that is not present, in kernel mode/,
      evidence: "Oops: 0002 [#1] SMP",
      data: { value: 2, write: true, present: false, user: false },
    },
    {
      name: "6.1 kernel with #PF lines",
      real: "lab:nullread",
      summary:
        /error code 0000 means a read, .* \(the kernel says: supervisor read access in kernel mode; error_code\(0x0000\) - not-present page\)/,
      evidence: "#PF: supervisor read access in kernel mode",
    },
  ],
});
