import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCodeLine, shouldDecode } from "./code-line.js";

// Real lines: CentOS 3.10 seed, Debian 6.1 lab (with timestamp), syzkaller arm64 and arm.
const seed =
  "[705327.837099] Code: 4d 00 89 46 44 89 46 40 8b 86 dc 00 00 00 c7 44 02 24 01 00 01 00 48 8b 87 40 01 00 00 48 8d 97 38 01 00 00 48 89 16 48 89 46 08 <48> 89 30 83 87 48 01 00 00 01 48 83 bf 68 02 00 00 00 48 89 b7 ";
const labUser =
  "[    2.534953] Code: 40 00 48 c7 c2 e0 ff ff ff f7 d8 64 89 02 48 c7 c0 ff ff ff ff eb b7 0f 1f 00 80 3d e8 85 16 00 00 74 17 b8 01 00 00 00 0f 05 <48> 3d 00 f0 ff ff 77 58 c3 0f 1f 80 00 00 00 00 48 83 ec 28 48 89";
const arm64 = "Code: d2bfd001 f2df7fe1 f2ffffe1 8b010273 (39000274) ";

describe("parseCodeLine", () => {
  it("reads x86 bytes and the <xx> offset after a timestamp", () => {
    const p = parseCodeLine(seed);
    assert.ok(p);
    assert.equal(p.unit, 1);
    assert.equal(p.bytes.length, 64);
    assert.equal(p.faultOffset, 43);
    assert.deepEqual([...p.bytes.subarray(43, 46)], [0x48, 0x89, 0x30]);
  });

  it("reads arm64 words little-endian with the (word) offset", () => {
    const p = parseCodeLine(arm64);
    assert.ok(p);
    assert.equal(p.unit, 4);
    assert.equal(p.faultOffset, 16);
    assert.deepEqual([...p.bytes.subarray(16)], [0x74, 0x02, 0x00, 0x39]);
  });

  it("reads Thumb halfwords and a thread-tagged prefix", () => {
    const p = parseCodeLine("[  534.916307][   T23] Code: 4b06 6818 (f8d3) 3004 ");
    assert.ok(p);
    assert.equal(p.unit, 2);
    assert.equal(p.faultOffset, 4);
    assert.deepEqual([...p.bytes.subarray(4, 6)], [0xd3, 0xf8]);
  });

  const bad: Record<string, string> = {
    "unreadable bytes": "Code: Unable to access opcode bytes at RIP 0xffffffffffffffd6.",
    "bad RIP": "[   27.433977] Code: Bad RIP value.",
    empty: "",
    "empty Code:": "[  160.597419] Code: ",
    "no marker": "Code: 48 89 30 83 87",
    "two markers": "Code: 48 <89> <30> 83",
    "odd hex": "Code: 4d 0 <48> 89",
    "mixed widths": "Code: 4d00 <48> 89",
    "unpaired marker": "Code: 4d 00 <48) 89",
    garbage: "Code: zz yy <xx>",
    "no Code:": "RIP: 0010:buggy_read_status+0x5/0x20 [buggy]",
    "10 kB line": `Code: ${"48 ".repeat(3400)}<48> 89`,
  };
  for (const [name, line] of Object.entries(bad)) {
    it(`returns undefined for ${name}`, () => assert.equal(parseCodeLine(line), undefined));
  }
});

describe("shouldDecode", () => {
  it("skips the user-space Code: line after RIP: 0033", () => {
    const lines = ["[    2.534953] RIP: 0033:0x47b7a0", labUser];
    assert.equal(shouldDecode(1, lines), false);
  });

  it("skips i386 user code (EIP: 0073) but decodes kernel code (RIP: 0010)", () => {
    assert.equal(shouldDecode(1, ["EIP: 0073:[<b7f1d424>] EFLAGS: 00000246", labUser]), false);
    assert.equal(shouldDecode(1, ["RIP: 0010:buggy_read_status+0x5/0x20 [buggy]", seed]), true);
  });

  it("decodes an old-format Code: line whose RIP line follows it", () => {
    const lines = [" [<ffffffff81646a09>] system_call_fastpath+0x16/0x1b", seed, "RIP  [<x>]"];
    assert.equal(shouldDecode(1, lines), true);
  });

  it("refuses lines without bytes and indexes outside the log", () => {
    assert.equal(shouldDecode(0, ["Code: Unable to access opcode bytes at RIP 0x0."]), false);
    assert.equal(shouldDecode(5, [seed]), false);
  });
});
