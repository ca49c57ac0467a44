import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attToIntel } from "./att-to-intel.js";

describe("attToIntel", () => {
  const cases: Array<[string, string]> = [
    // real lines from the seed crash sessions
    ["mov    0x140(%r15),%ecx", "mov ecx,dword ptr [r15+0x140]"],
    ["lock decl 0x1c(%rdi)", "lock dec dword ptr [rdi+0x1c]"],
    ["mov    %rsi,(%rax)", "mov qword ptr [rax],rsi"],
    ["movl   $0x10001,0x24(%rdx,%rax,1)", "mov dword ptr [rdx+rax*1+0x24],0x10001"],
    ["testl  $0x3ff0000,-0x3fbc(%rax)", "test dword ptr [rax-0x3fbc],0x3ff0000"],
    ["mov    0x768(%rbx),%r15", "mov r15,qword ptr [rbx+0x768]"],
    ["sete   %al", "sete al"],
  ];
  for (const [att, intel] of cases) {
    it(att, () => assert.equal(attToIntel(att), intel));
  }
  it("refuses what is not an instruction", () => {
    assert.equal(attToIntel(""), undefined);
    assert.equal(attToIntel("mov (%rax"), undefined);
  });
});
