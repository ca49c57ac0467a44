/**
 * `dis` over a small kernel built in code (the committed extract holds no kernel text): gdb's
 * line shape, named call/jump/RIP-relative targets, the ftrace NOP, `-r`, `-f`, counts, hex
 * offsets, and crash's message when the text is not in the dump.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fakeKernel } from "../fake-kernel.js";
import { ShellSession } from "../session.js";

const BASE = 0xffffffff81000000n;
// func_a: ftrace nop; push; mov rip-relative to some_var; call func_b; je +2; pop; ret;
// lock decl; ret; then int3 padding up to func_b (a one-byte function)
const text = Uint8Array.from([
  0x0f,
  0x1f,
  0x44,
  0x00,
  0x00, // +0  nopl 0x0(%rax,%rax,1)
  0x55, // +5  push %rbp
  0x48,
  0x8b,
  0x05,
  0xf3,
  0x0f,
  0x00,
  0x00, // +6  mov 0xff3(%rip),%rax -> BASE+0x1000
  0xe8,
  0x0e,
  0x00,
  0x00,
  0x00, // +13 call BASE+0x20
  0x74,
  0x02, // +18 je +22
  0x5d, // +20 pop %rbp
  0xc3, // +21 ret
  0xf0,
  0xff,
  0x4f,
  0x1c, // +22 lock decl 0x1c(%rdi)
  0xc3, // +26 ret
  0xcc,
  0xcc,
  0xcc,
  0xcc,
  0xcc, // +27 int3 padding
  0xc3, // func_b: ret
  ...new Array(15).fill(0xcc),
]);
const kernel = fakeKernel({
  // the page after BASE's is not in the "dump"; edge_fn ends right before it
  memory: [
    { address: BASE, bytes: text },
    { address: BASE + 0xffdn, bytes: Uint8Array.from([0xc3, 0xc3, 0xc3]) },
  ],
  symbols: [
    { name: "func_a", type: "T", address: BASE },
    { name: "func_b", type: "t", address: BASE + 0x20n },
    { name: "end_text", type: "T", address: BASE + 0x30n },
    { name: "edge_fn", type: "t", address: BASE + 0xffdn },
    { name: "some_var", type: "D", address: BASE + 0x1000n },
    { name: "far_func", type: "T", address: BASE + 0x5000n },
    { name: "_end", type: "B", address: BASE + 0x6000n },
  ],
});
const session = new ShellSession(kernel, { files: { dump: "fake" } });

const funcA = [
  "0xffffffff81000000 <func_a>:\tnopl   0x0(%rax,%rax,1) [FTRACE NOP]",
  "0xffffffff81000005 <func_a+5>:\tpush   %rbp",
  "0xffffffff81000006 <func_a+6>:\tmov    0xff3(%rip),%rax        # 0xffffffff81001000 <some_var>",
  "0xffffffff8100000d <func_a+13>:\tcall   0xffffffff81000020 <func_b>",
  "0xffffffff81000012 <func_a+18>:\tje     0xffffffff81000016 <func_a+22>",
  "0xffffffff81000014 <func_a+20>:\tpop    %rbp",
  "0xffffffff81000015 <func_a+21>:\tret    ",
  "0xffffffff81000016 <func_a+22>:\tlock decl 0x1c(%rdi)",
  "0xffffffff8100001a <func_a+26>:\tret    ",
  "0xffffffff8100001b <func_a+27>:\tint3   ",
  "0xffffffff8100001c <func_a+28>:\tint3   ",
  "0xffffffff8100001d <func_a+29>:\tint3   ",
  "0xffffffff8100001e <func_a+30>:\tint3   ",
  "0xffffffff8100001f <func_a+31>:\tint3   ",
];
const lines = (text: string) => text.split("\n").slice(0, -1);

describe("dis", () => {
  it("disassembles a whole function given by name", async () => {
    const r = await session.run("dis func_a");
    assert.equal(r.errors, "");
    assert.deepEqual(lines(r.output), funcA);
  });
  it("disassembles one instruction at an address, or count from symbol+offset", async () => {
    assert.deepEqual(lines((await session.run("dis ffffffff81000012")).output), [funcA[4]]);
    assert.deepEqual(lines((await session.run("dis func_a+5 2")).output), funcA.slice(1, 3));
    assert.deepEqual(lines((await session.run("dis (func_a + 0xd)")).output), [funcA[3]]);
  });
  it("-r runs from the function's start through the address, -f from it to the end", async () => {
    assert.deepEqual(lines((await session.run("dis -r func_a+18")).output), funcA.slice(0, 5));
    // an address inside an instruction ends the listing with that instruction
    assert.deepEqual(lines((await session.run("dis -r func_a+8")).output), funcA.slice(0, 3));
    assert.deepEqual(lines((await session.run("dis -f func_a+20")).output), funcA.slice(5));
  });
  it("prints offsets in hex with -x", async () => {
    assert.deepEqual(lines((await session.run("dis -x func_a+18")).output), [
      "0xffffffff81000012 <func_a+0x12>:\tje     0xffffffff81000016 <func_a+0x16>",
    ]);
  });
  it("says there are no source lines for -l, and still disassembles", async () => {
    const r = await session.run("dis -l func_b");
    assert.deepEqual(lines(r.output), [
      "0xffffffff81000020 <func_b>:\tret    ",
      ...Array.from(
        { length: 15 },
        (_, i) =>
          `0xffffffff8100${(0x21 + i).toString(16).padStart(4, "0")} <func_b+${i + 1}>:\tint3   `,
      ),
    ]);
    assert.match(r.errors, /^dis: -l: no source lines without DWARF debuginfo/);
  });
  it("gives crash's message for text the dump does not hold", async () => {
    const r = await session.run("dis far_func");
    assert.equal(r.ok, false);
    assert.equal(r.output, "");
    assert.equal(
      r.errors,
      'dis: page excluded: kernel virtual address: ffffffff81005000  type: "gdb_readmem_callback"\n',
    );
  });
  it("shows what can be read before a missing page when a count reaches past it", async () => {
    const r = await session.run("dis edge_fn 5");
    assert.deepEqual(lines(r.output), [
      "0xffffffff81000ffd <edge_fn>:\tret    ",
      "0xffffffff81000ffe <edge_fn+1>:\tret    ",
      "0xffffffff81000fff <edge_fn+2>:\tret    ",
    ]);
    assert.match(r.errors, /^dis: page excluded: kernel virtual address: ffffffff81001000 /);
    // three instructions were asked for and could be read: no error
    assert.equal((await session.run("dis edge_fn 3")).ok, true);
  });
});
