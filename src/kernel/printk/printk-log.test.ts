/**
 * The 3.5–5.9 structured log buffer. No real dump of such a kernel is at hand, so these
 * fixtures are built from the documented layout (`struct printk_log`: u64 ts_nsec; u16 len,
 * text_len, dict_len; u8 facility; u8 flags:5 level:3; [u32 caller_id]; records 8-byte
 * aligned; len == 0 wraps to the start) and described by VMCOREINFO as the kernel does.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeKernel } from "../../../test/writers/kernel.js";
import { BufferRandomAccess, openDumpFrom } from "../../dump/index.js";
import { formatLog, openKernel } from "../index.js";

interface Rec {
  ts: bigint;
  text: string;
  dict?: string;
  level?: number;
  caller?: number;
}

function buildStructured(
  struct: "log" | "printk_log",
  withCaller: boolean,
  records: Rec[],
  startAt: number,
) {
  const k = new FakeKernel();
  const header = withCaller ? 24 : 16;
  const bufLen = 4096;
  const buf = new Uint8Array(bufLen);
  const view = new DataView(buf.buffer);
  let idx = startAt;
  const first = startAt;
  for (const r of records) {
    const text = new TextEncoder().encode(r.text);
    const dict = new TextEncoder().encode(r.dict ?? "");
    const len = (header + text.length + dict.length + 7) & ~7;
    if (idx + len > bufLen) {
      view.setUint16(idx + 8, 0, true); // wrap marker: a header with len 0
      idx = 0;
    }
    view.setBigUint64(idx, r.ts, true);
    view.setUint16(idx + 8, len, true);
    view.setUint16(idx + 10, text.length, true);
    view.setUint16(idx + 12, dict.length, true);
    buf[idx + 14] = 0; // facility
    buf[idx + 15] = (r.level ?? 6) << 5;
    if (withCaller) view.setUint32(idx + 16, r.caller ?? 0, true);
    buf.set(text, idx + header);
    buf.set(dict, idx + header + text.length);
    idx += len;
  }
  const bufPa = 0x210000n;
  k.image.write(bufPa, buf);
  k.image.writeU64(0x201000n, k.va(bufPa)); // char *log_buf
  k.image.writeU32(0x201008n, bufLen); // log_buf_len
  k.image.writeU32(0x20100cn, first); // log_first_idx
  k.image.writeU32(0x201010n, idx); // log_next_idx
  k.symbol("log_buf", k.va(0x201000n));
  k.symbol("log_buf_len", k.va(0x201008n));
  k.symbol("log_first_idx", k.va(0x20100cn));
  k.symbol("log_next_idx", k.va(0x201010n));
  k.symbol("clear_idx", k.va(0x201014n));
  k.line(`SIZE(${struct})=${header}`);
  k.line(`OFFSET(${struct}.ts_nsec)=0`);
  k.line(`OFFSET(${struct}.len)=8`);
  k.line(`OFFSET(${struct}.text_len)=10`);
  k.line(`OFFSET(${struct}.dict_len)=12`);
  if (withCaller) k.line(`OFFSET(${struct}.caller_id)=16`);
  return k.finish();
}

const records: Rec[] = [
  { ts: 0n, text: "Linux version 4.19.0-fake" },
  { ts: 1_500_000n, text: "two\nlines", dict: "SUBSYSTEM=pci" },
  { ts: 12_345_678_901n, text: "bell \x07 and tab\t", level: 3, caller: 0x80000001 },
  ...Array.from({ length: 60 }, (_, i) => ({
    ts: BigInt(20 + i) * 1_000_000_000n,
    text: `filler record ${i} with some text`,
    caller: 100 + i,
  })),
];

const expected = [
  "[    0.000000] Linux version 4.19.0-fake",
  "[    0.001500] two",
  "               lines",
  "[   12.345678] bell \\x07 and tab\t",
  ...Array.from(
    { length: 60 },
    (_, i) => `[   ${String(20 + i).padStart(2)}.000000] filler record ${i} with some text`,
  ),
].join("\n");

describe("structured printk buffer (3.5–5.9), built from the documented layout", () => {
  for (const [struct, withCaller] of [
    ["log", false],
    ["printk_log", false],
    ["printk_log", true],
  ] as const) {
    it(`reads struct ${struct}${withCaller ? " with caller_id" : ""}, wrapping at len 0`, async () => {
      const image = buildStructured(struct, withCaller, records, 1000);
      const dump = await openDumpFrom(new BufferRandomAccess(image.toElf()), "structured.elf");
      const log = await (await openKernel(dump)).readLog();
      assert.equal(log.generation, "structured");
      assert.deepEqual(log.warnings, []);
      assert.equal(formatLog(log.records), `${expected}\n`);
      assert.equal(log.records[2]?.level, 3);
      if (withCaller) assert.equal(log.records[2]?.caller, "C1");
    });
  }

  it("names a missing log buffer page and keeps the records it can read", async () => {
    const image = buildStructured("printk_log", false, records, 1000);
    image.pages.delete(0x210000n / 4096n); // the first page of the 4 KiB buffer
    const dump = await openDumpFrom(new BufferRandomAccess(image.toElf()), "holed.elf");
    const log = await (await openKernel(dump)).readLog();
    assert.ok(
      log.warnings.some((w) => /log buffer page 0x210000 is not in the dump/.test(w)),
      log.warnings.join("; "),
    );
  });
});
