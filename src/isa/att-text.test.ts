import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAttInstruction } from "./att-text.js";

describe("parseAttInstruction on crash dis lines from real sessions", () => {
  it("lock decl 0x1c(%rdi): read-write at rdi+0x1c, lock prefix kept", () => {
    const p = parseAttInstruction("0xffffffff8118a075 <__free_pages+5>: lock decl 0x1c(%rdi)");
    assert.deepEqual(p, {
      mnemonic: "decl",
      prefixes: ["lock"],
      operands: ["0x1c(%rdi)"],
      memory: { base: "rdi", displacement: 0x1c, access: "read-write", sizeBytes: 4 },
    });
  });

  it("mov    0x140(%r15),%ecx: a 4-byte read at r15+0x140", () => {
    const p = parseAttInstruction("mov    0x140(%r15),%ecx");
    assert.equal(p?.mnemonic, "mov");
    assert.deepEqual(p?.operands, ["0x140(%r15)", "%ecx"]);
    assert.deepEqual(p?.memory, { base: "r15", displacement: 0x140, access: "read", sizeBytes: 4 });
  });

  it("mov    %rsi,(%rax): a write at rax", () => {
    const m = parseAttInstruction("mov    %rsi,(%rax)")?.memory;
    assert.deepEqual(m, { base: "rax", displacement: 0, access: "write", sizeBytes: 8 });
  });

  it("movl   $0x10001,0x24(%rdx,%rax,1): base, index and scale", () => {
    const m = parseAttInstruction("movl   $0x10001,0x24(%rdx,%rax,1)")?.memory;
    assert.deepEqual(m, {
      base: "rdx",
      index: "rax",
      scale: 1,
      displacement: 0x24,
      access: "write",
      sizeBytes: 4,
    });
  });

  it("testl  $0x3ff0000,-0x3fbc(%rax): test only reads, negative displacement", () => {
    const m = parseAttInstruction("testl  $0x3ff0000,-0x3fbc(%rax)")?.memory;
    assert.equal(m?.access, "read");
    assert.equal(m?.displacement, -0x3fbc);
  });

  it("mov %gs:0xb7c0,%rbx: a per-CPU read with a segment and no base", () => {
    const m = parseAttInstruction("mov    %gs:0xb7c0,%rbx")?.memory;
    assert.deepEqual(m, { displacement: 0xb7c0, segment: "gs", access: "read", sizeBytes: 8 });
  });

  it("drops crash's address, symbol, comment and FTRACE decorations", () => {
    const call = parseAttInstruction(
      "0xffffffff8108e8a8 <update_process_times+40>:   callq  0xffffffff810bbec0 <account_process_tick>",
    );
    assert.deepEqual(call, { mnemonic: "callq", prefixes: [], operands: ["0xffffffff810bbec0"] });
    const nop = parseAttInstruction("nopl 0x0(%rax,%rax,1) [FTRACE NOP]");
    assert.equal(nop?.memory?.access, "none");
    const commented = parseAttInstruction("mov    0x18(%rsi),%rax\t//timer->base");
    assert.deepEqual(commented?.operands, ["0x18(%rsi)", "%rax"]);
    const padded = parseAttInstruction("data32 data32 data32 xchg %ax,%ax [FTRACE NOP]");
    assert.deepEqual(padded?.prefixes, ["data32", "data32", "data32"]);
    assert.equal(padded?.memory, undefined);
  });

  it("classifies access by mnemonic and operand position", () => {
    const access = (t: string) => parseAttInstruction(t)?.memory?.access;
    assert.equal(access("lea    0x10(%rdi),%rax"), "none");
    assert.equal(access("prefetcht0 (%rax)"), "none");
    assert.equal(access("orb    $0x10,0x7c(%rsi)"), "read-write");
    assert.equal(access("sete   0x10(%rax)"), "write");
    assert.equal(access("cmpb   $0x0,(%rdx,%rax,1)"), "read");
    assert.equal(access("xchg   %eax,(%rdx)"), "read-write");
    assert.equal(access("add    (%rdx),%eax"), "read");
    assert.equal(access("popq   0x8(%rax)"), "write");
    assert.equal(access("jmp    *0x8(%rax)"), "read");
    assert.equal(access("rep movsq %ds:(%rsi),%es:(%rdi)"), "write");
  });

  it("reads a bare number as a branch target, not memory, but as memory elsewhere", () => {
    assert.equal(parseAttInstruction("je     0xffffffff81096fa3 <cascade+131>")?.memory, undefined);
    assert.equal(parseAttInstruction("mov    0x1234,%eax")?.memory?.displacement, 0x1234);
  });

  const bad: Record<string, string> = {
    empty: "",
    garbage: "%%% ???",
    "unbalanced parentheses": "mov 0x10(%rax,%eax",
    "empty operand": "mov %rax,",
    "10 kB line": `mov ${"0x1,".repeat(2500)}%eax`,
  };
  for (const [name, text] of Object.entries(bad)) {
    it(`returns undefined for ${name}`, () => assert.equal(parseAttInstruction(text), undefined));
  }
});
