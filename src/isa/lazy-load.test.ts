// Importing isa/ must not load the WASM disassemblers: the CLI starts without them and pays
// only when a Code: line is decoded. Both packages are CommonJS, so loading shows in the cache.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { it } from "node:test";

const loaded = (name: string) =>
  Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes(name));

it("loads iced-x86 and capstone only on first decode", async () => {
  const isa = await import("./index.js");
  assert.equal(loaded("iced-x86"), false);
  assert.equal(loaded("capstone-js"), false);
  isa.parseCodeLine("Code: 48 89 <30>");
  isa.parseAttInstruction("mov %rsi,(%rax)");
  assert.equal(loaded("iced-x86"), false);
  await isa.decodeCode("x86_64", { bytes: Uint8Array.of(0x48, 0x89, 0x30), faultOffset: 0 });
  assert.equal(loaded("iced-x86"), true);
  assert.equal(loaded("capstone-js"), false);
  await isa.decodeCode("arm64", { bytes: Uint8Array.of(0x74, 0x02, 0x00, 0x39), faultOffset: 0 });
  assert.equal(loaded("capstone-js"), true);
});
