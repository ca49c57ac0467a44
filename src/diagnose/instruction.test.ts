/**
 * The faulting instruction and what the function did before it: registers written (x86 from
 * the decoder, arm64/arm from the instruction text, a call clobbering the caller-saved ones),
 * constants loaded, and no instruction at all where the PC did not fault.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { input } from "../../test/inputs.js";
import { analyzeText } from "../analyze.js";
import { faultingInstruction } from "./instruction.js";
import { armConstants, armRegistersWritten } from "./util/arm-writes.js";

async function instructionOf(text: string, at?: string) {
  const result = analyzeText(text);
  const lines = text.replace(/\r/g, "").split("\n");
  const no = at === undefined ? 0 : lines.findIndex((l) => l.includes(at)) + 1;
  const report =
    at === undefined
      ? result.reports[0]
      : result.reports.find((r) => r.lines.start <= no && no <= r.lines.end);
  assert.ok(report);
  return faultingInstruction(report);
}

describe("faulting instruction", () => {
  it("none at the first instruction of an exception entry (i386 double fault, real case 321)", async () => {
    assert.equal(await instructionOf(input("realworld:321")), undefined);
  });
  it("arm64: the Code: words start inside the function, so the writes seen are partial (real case 112)", async () => {
    const ins = await instructionOf(input("realworld:112"));
    assert.equal(ins?.text, "ldr x21, [x4, #64]");
    assert.ok(ins?.writtenBefore?.includes("x0"), `writtenBefore: ${ins?.writtenBefore}`);
    assert.equal(ins?.writtenBeforePartial, true);
  });
  it("arm64: a value returned by a call is a written register (real case 114)", async () => {
    const ins = await instructionOf(input("realworld:114"));
    assert.equal(ins?.base, "x23");
    assert.ok(ins?.writtenBefore?.includes("x23"), `writtenBefore: ${ins?.writtenBefore}`);
  });
  it("x86: a call before the fault clobbers the argument registers", async () => {
    // lab nullwrite's function, preceded by a call: e8 = call rel32
    const text = input("lab:nullwrite").replaceAll(
      "0f 1f 44 00 00 <48> c7 47 48 00 00 00 00",
      "e8 00 00 00 00 <48> c7 47 48 00 00 00 00",
    );
    const ins = await instructionOf(text, "BUG: kernel NULL pointer dereference");
    if (ins?.writtenBefore) assert.ok(ins.writtenBefore.includes("rdi"));
  });
});

describe("arm register writes", () => {
  const cases: Array<[string, string[] | undefined]> = [
    ["ldr x21, [x4, #64]", ["x21"]],
    ["ldr w0, [x28, #20]", ["x0"]],
    ["str x1, [x0, #8]", []],
    ["stp x29, x30, [sp, #-16]!", ["sp"]],
    ["ldp x19, x20, [sp], #16", ["sp", "x19", "x20"]],
    ["cmp x0, x1", []],
    ["cbz x0, 0x1000", []],
    ["mov x23, x0", ["x23"]],
    ["stxr w1, x2, [x0]", ["x1"]],
    ["ldadd w1, w2, [x0]", ["x2"]],
    ["swpal x3, x4, [x5]", ["x4"]],
    ["cas x0, x1, [x2]", ["x0"]],
    ["(bad)", undefined],
  ];
  for (const [text, written] of cases) {
    it(`arm64 ${text}`, () => {
      const got = armRegistersWritten("arm64", text);
      assert.deepEqual(got === undefined ? undefined : [...got].sort(), written?.sort());
    });
  }
  it("arm64 bl clobbers x0-x18 and lr", () => {
    const got = armRegistersWritten("arm64", "bl 0xffff000008123456") ?? [];
    assert.ok(got.includes("x0") && got.includes("x7") && got.includes("x30"));
    assert.ok(!got.includes("x19"));
  });
  it("arm: post-indexed ldrb writes its base back; pop writes its list", () => {
    assert.deepEqual(armRegistersWritten("arm", "ldrb r3, [r0], #1")?.sort(), ["r0", "r3"]);
    assert.deepEqual(armRegistersWritten("arm", "pop {r4, r5, pc}")?.sort(), ["pc", "r4", "r5"]);
    assert.deepEqual(armRegistersWritten("arm", "str r3, [r0]"), []);
    assert.deepEqual(armRegistersWritten("arm", "mrc p15, #0, r0, c13, c0, #3"), ["r0"]);
  });
  it("arm64 LIST_POISON built with mov/movk is a constant the code wrote", () => {
    const constants = armConstants([
      "mov x2, #0x122",
      "movk x2, #0xdead, lsl #48",
      "str x2, [x0, #8]",
    ]);
    assert.equal(constants.get("x2"), 0xdead000000000122n);
  });
});
