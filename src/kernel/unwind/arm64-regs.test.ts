/** PAC stripping, PSTATE levels, branch-and-link encodings and pt_regs reads, as tables. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isExceptionEntry } from "./arm64-entry.js";
import {
  ARM64_PT_REGS_DEFAULT,
  isCallInstruction,
  isUserPstate,
  isUserRegs,
  readArm64PtRegs,
  stripPac,
} from "./arm64-regs.js";
import { FakeMemory } from "./test-support.js";

const MASK = 0xffff000000000000n;

describe("arm64 registers and instructions", () => {
  it("strips PAC bits: kernel pointers get ones, user pointers zeros, no mask leaves them", () => {
    for (const [raw, mask, want] of [
      [0x2f80b29820bb51d8n, MASK, 0xffffb29820bb51d8n],
      [0xffffb29820bb51d8n, MASK, 0xffffb29820bb51d8n],
      [0x1234000000401000n, MASK, 0x0000000000401000n],
      [0x2f80b29820bb51d8n, 0n, 0x2f80b29820bb51d8n],
      // a 52-bit VA kernel's smaller mask
      [0x7ff8b29820bb51d8n, 0xfff0000000000000n, 0xfff8b29820bb51d8n],
    ] as const)
      assert.equal(stripPac(raw, mask), want, raw.toString(16));
  });

  it("reads the exception level from PSTATE", () => {
    for (const [pstate, user] of [
      [0x20001000n, true], // EL0t, from the lab's sh
      [0x60400005n, false], // EL1h
      [0x604003c5n, false],
      [0x10n, true], // AArch32 user
    ] as const)
      assert.equal(isUserPstate(pstate), user, pstate.toString(16));
  });

  it("knows bl and the blr family, nothing else", () => {
    for (const [insn, call] of [
      [0x94000010, true], // bl
      [0x97ffffff, true], // bl backwards
      [0xd63f0020, true], // blr x1
      [0xd63f081f, true], // blraaz x0
      [0xd73f0821, true], // blraa x1, x1
      [0xd65f03c0, false], // ret
      [0x14000010, false], // b
      [0xd503201f, false], // nop
    ] as const)
      assert.equal(isCallInstruction(insn), call, insn.toString(16));
  });

  it("names the exception vectors of every spelling, not their C handlers", () => {
    for (const [name, entry] of [
      ["el1h_64_sync", true],
      ["el0t_64_irq", true],
      ["el0t_32_sync", true],
      ["el1_sync", true],
      ["el0_irq_compat", true],
      ["el1h_64_sync_handler", false],
      ["el0_svc", false],
      [undefined, false],
    ] as const)
      assert.equal(isExceptionEntry(name), entry, String(name));
  });

  it("reads a pt_regs: x0..x30, sp, pc, pstate, orig_x0, a sign-extended syscallno", async () => {
    const m = new FakeMemory();
    const at = 0xffff800008203eb0n;
    const r = ARM64_PT_REGS_DEFAULT;
    for (let i = 0; i <= 30; i++) m.u64(at + BigInt(r.regs + i * 8), BigInt(i + 1));
    m.u64(at + BigInt(r.sp), 0xffffd77a17d0n);
    m.u64(at + BigInt(r.pc), 0x44a7ccn);
    m.u64(at + BigInt(r.pstate), 0x20001000n);
    m.u32(at + BigInt(r.syscallno ?? 0), 0xffffffff);
    m.map(at + BigInt(r.size) - 8n, 8);
    const regs = await readArm64PtRegs(m.read, at, r);
    assert.equal(regs.values.x0, 1n);
    assert.equal(regs.values.x30, 31n);
    assert.equal(regs.values.pc, 0x44a7ccn);
    assert.equal(regs.values.syscallno, 0xffffffffffffffffn);
    assert.ok(isUserRegs(regs));
    assert.equal(regs.arch, "arm64");
  });
});
