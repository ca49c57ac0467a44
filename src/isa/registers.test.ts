import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callingConventions } from "./calling-convention.js";
import { normalizeRegister } from "./registers.js";
import type { IsaArch } from "./types.js";

describe("normalizeRegister", () => {
  const cases: [IsaArch, string, string][] = [
    ["x86_64", "eax", "rax"],
    ["x86_64", "ax", "rax"],
    ["x86_64", "al", "rax"],
    ["x86_64", "ah", "rax"],
    ["x86_64", "%r15d", "r15"],
    ["x86_64", "r8b", "r8"],
    ["x86_64", "SIL", "rsi"],
    ["x86_64", "xmm0", "xmm0"],
    ["i386", "ax", "eax"],
    ["i386", "%dl", "edx"],
    ["arm64", "w3", "x3"],
    ["arm64", "wzr", "xzr"],
    ["arm64", "lr", "x30"],
    ["arm64", "sp", "sp"],
    ["arm", "r12", "ip"],
    ["arm", "sl", "r10"],
    ["arm", "r4", "r4"],
  ];
  for (const [arch, name, full] of cases) {
    it(`${arch}: ${name} → ${full}`, () => assert.equal(normalizeRegister(arch, name), full));
  }
});

describe("callingConventions", () => {
  it("names the kernel's argument registers per arch", () => {
    assert.deepEqual(callingConventions.x86_64.args, ["rdi", "rsi", "rdx", "rcx", "r8", "r9"]);
    assert.deepEqual(callingConventions.i386.args, ["eax", "edx", "ecx"]);
    assert.equal(callingConventions.arm64.args.length, 8);
    assert.equal(callingConventions.arm.returnValue, "r0");
  });

  it("uses names normalizeRegister produces", () => {
    for (const arch of Object.keys(callingConventions) as IsaArch[]) {
      const cc = callingConventions[arch];
      for (const r of [...cc.args, cc.returnValue]) assert.equal(normalizeRegister(arch, r), r);
    }
  });
});
