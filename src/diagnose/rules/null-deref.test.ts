import { input } from "../../../test/inputs.js";
import { ruleTester } from "../rule-tester.js";

/**
 * The lab's nullwrite oops with another faulting instruction and fault address (registers
 * as captured: rax 0, rbx 0xa, rdi 0), to test how the effective address is checked.
 */
function nullwriteWith(code: string, header: string): string {
  return input("lab:nullwrite")
    .replaceAll("<48> c7 47 48 00 00 00 00", code)
    .replace("BUG: kernel NULL pointer dereference, address: 0000000000000048", header);
}

ruleTester("null-deref", {
  valid: [
    { name: "a poisoned pointer is not NULL", real: "lab:gpf" },
    { name: "a BUG_ON() is not a fault", real: "lab:bugon" },
    {
      name: "rax was 0x400, a bogus list link just loaded: a small non-zero pointer is not NULL",
      real: "realworld:345",
    },
    {
      name: "a RIP-relative store to 0xfa8: no pointer was followed (mis-relocated module)",
      real: "realworld:348",
    },
    { name: "a WARN_ON trap on s390, no memory fault", real: "realworld:101" },
    { name: "a fault at 0x80000001012e7398 is far from NULL (ppc64le)", real: "realworld:108" },
    {
      name: "rdi = 0x3 plus 0x48: a corrupted pointer, not NULL",
      input: nullwriteWith(
        "<48> 8b 47 48 90 90 90",
        "BUG: kernel NULL pointer dereference, address: 000000000000004b",
      ).replace("RDI: 0000000000000000", "RDI: 0000000000000003"),
    },
    {
      name: "0x1 with rax = 0x1: never called a NULL pointer dereference",
      real: "realworld:211",
      notSummary: /^NULL pointer dereference/,
    },
  ],
  invalid: [
    {
      name: "RIP 0x0 and error code 0x10: a call through a NULL function pointer (rtl8812au)",
      real: "realworld:417",
      summary:
        /^The kernel jumped to 0x0 \(an instruction fetch from the first page\): most likely a call through a NULL function pointer/,
      data: { instructionFetch: true },
    },
    {
      name: "0x1 and rax holds exactly 0x1: a corrupted pointer, not NULL plus 1 (zfs dbuf_find)",
      real: "realworld:211",
      summary:
        /^The kernel accessed 0x1, in the first page: either offset 0x1 from a NULL pointer or a pointer whose value was 0x1 itself; rax holds exactly 0x1/,
      evidence: "RAX: 0000000000000001",
      data: { register: "rax", corruptedPointer: true },
    },

    {
      name: "seed 000: r15 NULL, field 0x140, from the session's registers and listing",
      real: "seed:000",
      summary:
        /r15 was 0x0 \(NULL\) and `mov 0x140\(%r15\),%ecx` made a read of the field at offset 0x140/,
      evidence: "R15: 0000000000000000",
      data: { register: "r15", offset: "0x140" },
    },
    {
      name: "seed 001: rdi NULL, field 0x1c",
      input: input("seed:001"),
      summary:
        /rdi was 0x0 \(NULL\) and `lock decl 0x1c\(%rdi\)` made a read-modify-write of the field at offset 0x1c/,
      data: { register: "rdi", offset: "0x1c" },
    },
    {
      name: "seed 002: rax NULL, a write at offset 0",
      input: input("seed:002"),
      summary:
        /rax was 0x0 \(NULL\) and `mov %rsi,\(%rax\)` made a write to the field at offset 0x0/,
      evidence: "RAX: 0000000000000000",
      data: { register: "rax", access: "write" },
    },
    {
      name: "lab nullwrite: rdi NULL, a write at offset 0x48",
      input: input("lab:nullwrite"),
      summary: /rdi was 0x0 \(NULL\) .* made a write to the field at offset 0x48/,
    },
    {
      name: "an indexed access: rax NULL plus rbx*8 is the fault address",
      input: nullwriteWith(
        "<48> 8b 0c d8 90 90 90",
        "BUG: kernel NULL pointer dereference, address: 0000000000000050",
      ),
      summary:
        /rax was 0x0 \(NULL\) and `mov \(%rax,%rbx,8\),%rcx` made a read of the field at offset 0x50/,
      data: { register: "rax", offset: "0x50" },
    },
    {
      name: "registers that do not add up to the fault address name no register",
      input: nullwriteWith(
        "<48> 8b 0c d8 90 90 90",
        "BUG: kernel NULL pointer dereference, address: 0000000000000058",
      ),
      summary: /the kernel accessed 0x58, i\.e\. offset 0x58 from a NULL pointer/,
    },
    {
      name: "NULL minus 8 (container_of on NULL) is a NULL dereference too",
      input: nullwriteWith(
        "<48> 8b 47 f8 90 90 90",
        "BUG: unable to handle page fault for address: fffffffffffffff8",
      ),
      summary:
        /rdi was 0x0 \(NULL\) and `mov -0x8\(%rdi\),%rax` made a read of memory 0x8 bytes before it/,
      data: { register: "rdi", offset: "-0x8" },
    },
  ],
});
