/**
 * The pre-3.5 plain character ring. No real dump of such a kernel is at hand, so the fixture
 * is built from the documented layout: `log_buf` of `log_buf_len` bytes written up to
 * `log_end`, oldest byte at `log_end % log_buf_len` once wrapped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeKernel } from "../../../test/writers/kernel.js";
import { BufferRandomAccess, openDumpFrom } from "../../dump/index.js";
import { formatLog, openKernel } from "../index.js";

function build(stream: string, bufLen: number) {
  const k = new FakeKernel();
  const buf = new Uint8Array(bufLen);
  for (let i = 0; i < stream.length; i++) buf[i % bufLen] = stream.charCodeAt(i);
  k.image.write(0x210000n, buf);
  k.image.writeU64(0x201000n, k.va(0x210000n));
  k.image.writeU32(0x201008n, bufLen);
  k.image.writeU32(0x20100cn, stream.length); // log_end counts every byte ever written
  k.symbol("log_buf", k.va(0x201000n));
  k.symbol("log_buf_len", k.va(0x201008n));
  k.symbol("log_end", k.va(0x20100cn));
  k.symbol("logged_chars", k.va(0x201010n));
  return k.finish();
}

const lines = Array.from(
  { length: 40 },
  (_, i) => `<${i % 8}>[${String(i).padStart(5)}.000${String(i).padStart(3, "0")}] message ${i}\n`,
);

describe("plain printk ring (< 3.5), built from the documented layout", () => {
  it("prints an unwrapped ring as it is", async () => {
    const stream = lines.slice(0, 5).join("");
    const dump = await openDumpFrom(
      new BufferRandomAccess(build(stream, 4096).toElf()),
      "legacy.elf",
    );
    const log = await (await openKernel(dump)).readLog();
    assert.equal(log.generation, "legacy");
    assert.equal(formatLog(log.records), stream);
    assert.equal(log.records[1]?.level, 1);
    assert.equal(log.records[1]?.timestampNs, 1_000_001_000n);
  });

  it("starts a wrapped ring at log_end % log_buf_len", async () => {
    const stream = lines.join("");
    const bufLen = 512;
    const dump = await openDumpFrom(
      new BufferRandomAccess(build(stream, bufLen).toElf()),
      "legacy.elf",
    );
    const log = await (await openKernel(dump)).readLog();
    // the oldest line is cut where the ring overwrote it, as the peers print it
    assert.equal(formatLog(log.records), stream.slice(stream.length - bufLen));
  });
});
