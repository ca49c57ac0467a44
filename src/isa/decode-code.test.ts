import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import fc from "fast-check";
import { parseCodeLine } from "./code-line.js";
import { decodeCode } from "./decode-code.js";
import { formatListing } from "./listing.js";
import type { CodeDecoding, DecodedInstruction, IsaArch } from "./types.js";

// Code: lines from real crashes: the CentOS 3.10 seed and the Debian 6.1 lab runs.
const lines = {
  seed: "Code: 4d 00 89 46 44 89 46 40 8b 86 dc 00 00 00 c7 44 02 24 01 00 01 00 48 8b 87 40 01 00 00 48 8d 97 38 01 00 00 48 89 16 48 89 46 08 <48> 89 30 83 87 48 01 00 00 01 48 83 bf 68 02 00 00 00 48 89 b7",
  nullread:
    "Code: cc 0f 1f 40 00 0f 1f 44 00 00 48 63 ff 48 8b 04 fd 40 d6 5a c0 c3 cc cc cc cc 66 66 2e 0f 1f 84 00 00 00 00 00 0f 1f 44 00 00 <48> 8b 87 40 01 00 00 c3 cc cc cc cc 66 66 2e 0f 1f",
  nullwrite:
    "[    2.436766] Code: 00 00 00 00 00 0f 1f 44 00 00 e8 d6 ff ff ff 31 c0 c3 cc cc cc cc 66 66 2e 0f 1f 84 00 00 00 00 00 0f 1f 40 00 0f 1f 44 00 00 <48> c7 47 48 00 00 00 00 c3 cc cc cc cc 66 66 2e 0f 1f 84 00 00 00",
  gpf: "[    2.896140] Code: c4 bf c8 00 00 00 e8 f7 4f 67 c4 e8 a2 ff ff ff 31 c0 c3 cc cc cc cc c3 cc cc cc cc 66 0f 1f 44 00 00 0f 1f 44 00 00 48 8b 07 <8b> 40 10 c3 cc cc cc cc 0f 1f 44 00 00 8b 05 4d 1d 00 00 83 f8 02",
  divzero:
    "[    4.216697] Code: 13 34 c0 e8 bb c6 a8 da 48 89 de 48 c7 c7 2c 12 34 c0 e8 14 24 a9 da 31 c0 5b c3 cc cc cc cc 0f 1f 44 00 00 b8 e8 03 00 00 99 <f7> ff c3 cc cc cc cc 0f 1f 44 00 00 8b 3d 7e 0d 00 00 e8 de ff ff",
  bugon:
    "[    2.532289] Code: c0 c3 cc cc cc cc 66 66 2e 0f 1f 84 00 00 00 00 00 0f 1f 40 00 0f 1f 44 00 00 8b 05 0d 1d 00 00 83 f8 01 75 05 c3 cc cc cc cc <0f> 0b 66 0f 1f 84 00 00 00 00 00 0f 1f 44 00 00 e8 d6 ff ff ff 31",
  warn: "[    2.822820] Code: 0f 1f 44 00 00 0f 1f 44 00 00 48 8b 07 8b 40 10 c3 cc cc cc cc 0f 1f 44 00 00 8b 05 4d 1d 00 00 83 f8 02 74 05 c3 cc cc cc cc <0f> 0b c3 cc cc cc cc 0f 1f 40 00 0f 1f 44 00 00 e8 d6 ff ff ff 31",
  softlockup:
    "[    7.549559] Code: df 48 89 45 08 e8 da fd ff ff 31 c0 5b 5d 41 5c c3 cc cc cc cc b8 f4 ff ff ff eb f0 0f 1f 44 00 00 65 ff 05 5c 83 d7 3f f3 90 <eb> fc 0f 1f 44 00 00 fa 0f 1f 44 00 00 f3 90 eb fc 0f 1f 44 00 00",
  arm64: "Code: d2bfd001 f2df7fe1 f2ffffe1 8b010273 (39000274) ",
  arm64Bug: "Code: cb000260 d34cfc00 97fcf6fe 35fffc20 (d4210000) ",
  arm: "Code: 9a000012 e2853020 e1a02000 e2422008 (e5034020) ",
  // from satyr's kernel oopses corpus: rhbz-865695-0 (i386 BUG) and arm-hung-task-oops-2
  i386: "Code: d0 e8 10 20 b3 c7 89 f0 e8 d9 85 ff ff 89 d8 e8 a2 cc 85 c7 31 d2 89 f8 e8 89 2b 91 c7 58 5b 5e 5f 5d c3 55 89 e5 0f 0b 55 89 e5 <0f> 0b 55 89 e5 3e 8d 74 26 00 0f 0b 55 89 e5 3e 8d 74 26 00 0f",
  armHung: "Code: ea000005 e59d302c e59d2024 e3a00000 (e5823000)",
};

async function decodeLine(arch: IsaArch, line: string, address?: bigint): Promise<CodeDecoding> {
  const code = parseCodeLine(line);
  assert.ok(code, "the Code: line parses");
  const d = await decodeCode(arch, code, address);
  assert.ok(d, "the Code: line decodes");
  return d;
}

function fault(d: CodeDecoding): DecodedInstruction {
  const ins = d.instructions[d.faultIndex];
  assert.ok(ins);
  return ins;
}

describe("decodeCode on real x86-64 crashes", () => {
  it("seed (CentOS 3.10): the NULL write mov %rsi,(%rax)", async () => {
    const d = await decodeLine("x86_64", lines.seed);
    const f = fault(d);
    assert.equal(f.offset, 43);
    assert.equal(f.bytes, "48 89 30");
    assert.equal(f.text, "mov %rsi,(%rax)");
    assert.equal(f.intel, "mov qword ptr [rax],rsi");
    assert.equal(f.mnemonic, "mov");
    assert.deepEqual(f.memory, { base: "rax", displacement: 0, access: "write", sizeBytes: 8 });
    assert.deepEqual(f.registersRead?.sort(), ["rax", "rsi"]);
    assert.equal(d.trapOnly, false);
  });

  it("nullread (Debian 6.1): mov 0x140(%rdi),%rax reads at 0x140", async () => {
    const f = fault(await decodeLine("x86_64", lines.nullread));
    assert.equal(f.text, "mov 0x140(%rdi),%rax");
    assert.deepEqual(f.memory, { base: "rdi", displacement: 0x140, access: "read", sizeBytes: 8 });
    assert.deepEqual(f.registersWritten, ["rax"]);
  });

  it("nullwrite: movq $0x0,0x48(%rdi) writes at 0x48, after cutting one byte", async () => {
    const d = await decodeLine("x86_64", lines.nullwrite);
    assert.equal(d.skippedBytes, 1, "starting at byte 0 runs into an invalid 0x1f");
    const f = fault(d);
    assert.equal(f.text, "movq $0x0,0x48(%rdi)");
    assert.equal(f.memory?.access, "write");
    assert.equal(f.memory?.displacement, 0x48);
  });

  it("gpf: mov 0x10(%rax),%eax, the list poison pointer loaded just before", async () => {
    const d = await decodeLine("x86_64", lines.gpf);
    const f = fault(d);
    assert.equal(f.text, "mov 0x10(%rax),%eax");
    assert.deepEqual(f.memory, { base: "rax", displacement: 16, access: "read", sizeBytes: 4 });
    assert.equal(d.instructions[d.faultIndex - 1]?.text, "mov (%rdi),%rax");
  });

  it("divzero: idiv %edi touches no memory", async () => {
    const f = fault(await decodeLine("x86_64", lines.divzero));
    assert.equal(f.text, "idiv %edi");
    assert.equal(f.memory, undefined);
    assert.ok(f.registersRead?.includes("rdi"));
  });

  it("bugon and warn fault on ud2: trapOnly", async () => {
    for (const line of [lines.bugon, lines.warn]) {
      const d = await decodeLine("x86_64", line);
      assert.equal(fault(d).text, "ud2");
      assert.equal(d.trapOnly, true);
    }
  });

  it("softlockup: the pause loop's jmp, with an absolute target when RIP is known", async () => {
    const rip = 0xffffffffc03411ben;
    const d = await decodeLine("x86_64", lines.softlockup, rip);
    const f = fault(d);
    assert.equal(f.address, rip);
    // eb fc jumps back 2 bytes to the pause (f3 90) before it.
    assert.equal(f.text, `jmp 0x${(rip - 2n).toString(16)}`);
    assert.equal(d.instructions[d.faultIndex - 1]?.text, "pause");
  });

  it("without an address, call targets wrap at 32 bits as objdump -m i386 prints them", async () => {
    const d = await decodeLine("x86_64", lines.divzero);
    assert.equal(d.instructions.find((i) => i.offset === 3)?.text, "call 0xdaa8c6c3");
  });

  it("marks a cut-off last instruction as bad without failing the decoding", async () => {
    const code = parseCodeLine(lines.nullread);
    assert.ok(code);
    const d = await decodeCode("x86_64", code);
    const last = d?.instructions.at(-1);
    assert.equal(last?.isBad, true);
    assert.equal(last?.text, "(bad)");
    assert.equal(last?.offset !== undefined && last.offset + last.length, code.bytes.length);
  });
});

describe("decodeCode on real arm crashes", () => {
  it("arm64: strb w20, [x19] writes one byte at x19", async () => {
    const d = await decodeLine("arm64", lines.arm64);
    const f = fault(d);
    assert.equal(f.text, "strb w20, [x19]");
    assert.equal(f.bytes, "39000274");
    assert.deepEqual(f.memory, { base: "x19", displacement: 0, access: "write", sizeBytes: 1 });
    assert.equal(d.instructions.length, 5);
  });

  it("arm64 BUG(): brk #0x800 is trapOnly", async () => {
    const d = await decodeLine("arm64", lines.arm64Bug);
    assert.equal(fault(d).text, "brk #0x800");
    assert.equal(d.trapOnly, true);
  });

  it("arm: str r4, [r3, #-32] with objdump's decimal offset", async () => {
    const f = fault(await decodeLine("arm", lines.arm));
    assert.equal(f.text, "str r4, [r3, #-32]");
    assert.deepEqual(f.memory, { base: "r3", displacement: -32, access: "write", sizeBytes: 4 });
  });

  it("Thumb: a 32-bit Thumb-2 load at the (halfword) marker", async () => {
    const f = fault(await decodeLine("arm", "Code: 4b06 6818 (f8d3) 3004 "));
    assert.equal(f.bytes, "f8d3 3004");
    assert.equal(f.length, 4);
    assert.equal(f.memory?.base, "r3");
    assert.equal(f.memory?.access, "read");
  });

  it("arm64 with the pc: addresses are absolute, branch targets too", async () => {
    const pc = 0xffff800010123450n;
    const d = await decodeLine("arm64", lines.arm64Bug, pc);
    assert.equal(fault(d).address, pc);
    // 97fcf6fe at pc-8: bl with imm26 = -0x30902 words.
    assert.equal(d.instructions[2]?.text, `bl 0x${(pc - 8n - 0xc2408n).toString(16)}`);
  });
});

// satyr's kernel oopses: an i386 BUG and an ARM hung-task oops.
describe("decodeCode on satyr's i386 and arm oopses", () => {
  it("i386 (rhbz-865695-0): ud2 in 32-bit code, registers named e*", async () => {
    const d = await decodeLine("i386", lines.i386, 0xf8e40765n);
    assert.equal(fault(d).text, "ud2");
    assert.equal(d.trapOnly, true);
    const mov = d.instructions.find((i) => i.text === "mov %esp,%ebp");
    assert.deepEqual(mov?.registersRead, ["esp"]);
    assert.deepEqual(mov?.registersWritten, ["ebp"]);
  });

  it("arm (arm-hung-task-oops-2): str r3, [r2] writes at r2", async () => {
    const f = fault(await decodeLine("arm", lines.armHung));
    assert.equal(f.text, "str r3, [r2]");
    assert.deepEqual(f.memory, { base: "r2", displacement: 0, access: "write", sizeBytes: 4 });
  });
});

describe("decodeCode on bad input", () => {
  it("returns undefined for a fault offset outside the bytes", async () => {
    const bytes = Uint8Array.of(0x48, 0x89, 0x30);
    assert.equal(await decodeCode("x86_64", { bytes, faultOffset: 3 }), undefined);
    assert.equal(await decodeCode("x86_64", { bytes, faultOffset: -1 }), undefined);
    assert.equal(
      await decodeCode("x86_64", { bytes: new Uint8Array(), faultOffset: 0 }),
      undefined,
    );
  });

  it("returns undefined when the faulting bytes are not an instruction", async () => {
    // 0x06 (push %es) does not exist in 64-bit mode; nor does an arm64 word of all ones.
    const x86 = { bytes: Uint8Array.of(0x90, 0x06, 0x90), faultOffset: 1 };
    assert.equal(await decodeCode("x86_64", x86), undefined);
    const arm64 = { bytes: Uint8Array.of(0xff, 0xff, 0xff, 0xff), faultOffset: 0 };
    assert.equal(await decodeCode("arm64", arm64), undefined);
  });

  it("returns undefined for arm64 words cut short", async () => {
    const code = { bytes: Uint8Array.of(0x74, 0x02, 0x00, 0x39, 0x00), faultOffset: 1 };
    assert.equal(await decodeCode("arm64", code), undefined);
  });

  it("never throws, and always lands on the fault offset, on random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<IsaArch>("x86_64", "i386", "arm64", "arm"),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        async (arch, bytes, n) => {
          const faultOffset = n % bytes.length;
          const d = await decodeCode(arch, { bytes, faultOffset });
          if (d === undefined) return;
          const f = d.instructions[d.faultIndex];
          assert.equal(f?.offset, faultOffset);
          assert.equal(f?.isBad, false);
          formatListing(d);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// fuzz (oops-code): a base below 0 went to the u64 decoder unwrapped, offsets came out huge
// and the decoding loop never ended
test("x86: RIP 0x0 (base below zero) decodes, addresses wrapping at 2^64", async () => {
  const code = parseCodeLine(lines.nullread);
  assert.ok(code);
  const decoding = await decodeCode("x86_64", code, 0n);
  assert.ok(decoding);
  const fault = decoding.instructions[decoding.faultIndex];
  assert.equal(fault?.address, 0n);
  assert.equal(decoding.instructions[0]?.address, 2n ** 64n - BigInt(code.faultOffset));
  const far = await decodeCode("x86_64", code, 2n ** 64n + 5n);
  assert.equal(far?.instructions[far.faultIndex]?.address, 5n);
});
