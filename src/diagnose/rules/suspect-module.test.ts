import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

ruleTester("suspect-module", {
  valid: [{ name: "an untainted kernel (seed 002)", input: input("seed:002") }],
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
      name: "lab: out-of-tree and unsigned buggy(OE)",
      input: input("lab:nullread"),
      summary: /Module buggy \(OE: out-of-tree module, unsigned module\)/,
    },
    {
      name: "seed 004: tainted OE with the module list cut from the paste",
      input: input("seed:004"),
      summary: /tainted OE: out-of-tree or unsigned modules were loaded/,
      evidence: "Tainted: G        W  OE",
    },
  ],
});
