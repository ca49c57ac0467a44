import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("suspect-module", {
  valid: [
    { name: "an untainted kernel (seed 002)", input: input("seed:002") },
    // a taint or a loaded module is no evidence about this crash: naming one would be a guess
    { name: "seed 004: tainted OE, the module list cut from the paste", input: input("seed:004") },
    {
      name: "z/VM guest, E taint from unsigned modules, none on the stack",
      input: input("realworld:105"),
    },
    {
      name: "gasket/apex loaded (OE), the fault in core task_work_run",
      input: input("realworld:422"),
    },
    {
      name: "nvidia (P) loaded, the task nvidia-smi, the fault in AppArmor",
      input: input("realworld:423"),
    },
  ],
  invalid: [
    {
      name: "seed 003: the lockup is inside RHEL-unsigned dirpro",
      input: input("seed:003"),
      summary:
        /Module dirpro \(U: unsigned or unsupported module \(RHEL\)\) .* the crash happened inside it/,
      evidence: "dirpro(U)",
      data: { module: "dirpro", onStack: true },
    },
    {
      name: "seed 003: syshook_linux only in unreliable frames",
      input: input("seed:003"),
      summary: /Module syshook_linux .* only in unreliable \(\?\) entries/,
    },
    {
      name: "lab hung task: buggy on the stack, tainted OE, no module list in the report",
      input: input("lab:hung"),
      summary:
        /Module buggy is on the crashing stack and the kernel is tainted OE .* not shown here/,
      data: { module: "buggy", onStack: true, flagsKnown: false },
    },
    {
      name: "lab: out-of-tree and unsigned buggy(OE)",
      input: input("lab:nullread"),
      summary: /Module buggy \(OE: out-of-tree module, unsigned module\)/,
    },
  ],
});
