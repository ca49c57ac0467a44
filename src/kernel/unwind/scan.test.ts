import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endsWithCall } from "./call-site.js";
import { scanStack } from "./scan.js";
import { FakeMemory } from "./test-support.js";

const b = (...bytes: number[]) => Uint8Array.from(bytes);
/** pads to the 7 bytes the check reads, with bytes that start no call */
const tail = (...bytes: number[]) => b(...Array(7 - bytes.length).fill(0x90), ...bytes);

describe("call-site check", () => {
  it("recognises call rel32 and the ff /2 forms of every length", () => {
    assert.ok(endsWithCall(tail(0xe8, 1, 2, 3, 4))); // call rel32
    assert.ok(endsWithCall(tail(0xff, 0xd0))); // call *%rax
    assert.ok(endsWithCall(tail(0x41, 0xff, 0xd3))); // call *%r11
    assert.ok(endsWithCall(tail(0xff, 0x50, 0x08))); // call *0x8(%rax)
    assert.ok(endsWithCall(tail(0xff, 0x54, 0x24, 0x08))); // call *0x8(%rsp)
    assert.ok(endsWithCall(tail(0xff, 0x15, 1, 2, 3, 4))); // call *rel(%rip)
    assert.ok(endsWithCall(tail(0xff, 0x90, 1, 2, 3, 4))); // call *disp32(%rax)
    assert.ok(endsWithCall(b(0xff, 0x94, 0xc8, 1, 2, 3, 4))); // call *disp32(%rax,%rcx,8)
  });

  it("rejects what only looks like one", () => {
    assert.equal(endsWithCall(tail(0x90, 0x90)), false);
    assert.equal(endsWithCall(tail(0xff, 0xe0)), false); // jmp *%rax (ff /4)
    assert.equal(endsWithCall(tail(0xe9, 1, 2, 3, 4)), false); // jmp rel32
    assert.equal(endsWithCall(tail(0xff, 0x50)), false); // a disp8 form missing its byte
    assert.equal(endsWithCall(b()), false);
  });
});

describe("scanStack", () => {
  const TEXT = 0xffffffff81000000n;
  const isText = (a: bigint) => a >= TEXT && a < TEXT + 0x10000n;

  it("keeps text words preceded by a call, marks them unreliable, and stops quietly at a hole", async () => {
    const memory = new FakeMemory();
    const stack = 0xffffc90000010000n;
    memory.map(stack, 0x1000); // the next page is missing
    memory.map(TEXT, 0x1000);
    memory.write(TEXT + 0x100n - 5n, b(0xe8, 0, 0, 0, 0));
    memory.u64(stack + 0x10n, TEXT + 0x100n);
    memory.u64(stack + 0x18n, TEXT + 0x200n); // text without a call before it
    memory.u64(stack + 0x20n, 0xdeadbeefn);
    memory.u64(stack + 0xff8n, TEXT + 0x100n);
    const ctx = { read: memory.read, isText };
    const frames = await scanStack(ctx, stack, stack + 0x2000n);
    assert.deepEqual(
      frames.map((f) => [f.index, f.kind, f.sp, f.ip, f.reliable]),
      [
        [0, "scanned", stack + 0x10n, TEXT + 0x100n, false],
        [1, "scanned", stack + 0xff8n, TEXT + 0x100n, false],
      ],
    );
    const loose = await scanStack(ctx, stack, stack + 0x100n, { requireCall: false });
    assert.deepEqual(
      loose.map((f) => f.ip),
      [TEXT + 0x100n, TEXT + 0x200n],
    );
    const capped = await scanStack(ctx, stack, stack + 0x1000n, { maxFrames: 1 });
    assert.equal(capped.length, 1);
  });
});
