/**
 * Damaged layouts found by `npm run fuzz` (kernel-printk): VMCOREINFO lines missing or with
 * impossible values, and sizes read from memory, must end as CrashlensError (which
 * `readLog` turns into a warning), never as TypeError or RangeError, and never slowly.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CrashlensError } from "../../errors.js";
import { parseVmcoreinfo } from "../vmcoreinfo.js";
import { readLegacy } from "./log-buf.js";
import { readLockless } from "./prb.js";
import { readStructured } from "./printk-log.js";
import type { LogSource } from "./types.js";

/** Memory of one page at `base`; every other address faults. */
function source(vmcoreinfo: string, base: bigint, page: Uint8Array): LogSource {
  const read = async (address: bigint, length: number) => {
    const at = Number(address - base);
    if (at < 0 || at + length > page.length)
      throw new CrashlensError("fault", "not in memory", { address });
    return page.slice(at, at + length);
  };
  return {
    info: parseVmcoreinfo(vmcoreinfo),
    warnings: [],
    read,
    readLenient: async (_address, length) => ({
      bytes: new Uint8Array(length),
      holes: [[0, length]],
    }),
  };
}

const isError = (code: string) => (error: unknown) =>
  error instanceof CrashlensError && error.code === code;

test("structured: a missing SIZE/OFFSET/SYMBOL is not-found", async () => {
  const src = source(
    "SYMBOL(log_first_idx)=1000\nSIZE(printk_log)=16\n",
    0x1000n,
    new Uint8Array(64),
  );
  await assert.rejects(readStructured(src), isError("not-found"));
});

test("legacy: log_buf_len past the bound is a limit error, not a 1 GiB read", async () => {
  const page = new Uint8Array(64);
  new DataView(page.buffer).setUint32(8, 0x40000000, true); // log_buf_len = 1 GiB
  const info = "SYMBOL(log_buf)=1000\nSYMBOL(log_buf_len)=1008\nSYMBOL(log_end)=1010\n";
  await assert.rejects(readLegacy(source(info, 0x1000n, page)), isError("limit"));
});

test("legacy: a 200 MiB ring that is all holes is read in chunks, with no text and a warning", async () => {
  // found by npm run fuzz (kernel-printk): the whole ring and a copy of it were held at once
  const page = new Uint8Array(64);
  const view = new DataView(page.buffer);
  view.setBigUint64(0, 0x2000n, true); // log_buf, outside the page: every read is a hole
  view.setUint32(8, 200 * 2 ** 20, true); // log_buf_len
  view.setUint32(16, 200 * 2 ** 20 + 5, true); // log_end: wrapped
  const info = "SYMBOL(log_buf)=1000\nSYMBOL(log_buf_len)=1008\nSYMBOL(log_end)=1010\n";
  let largest = 0;
  const src = source(info, 0x1000n, page);
  const lenient = src.readLenient;
  src.readLenient = async (address, length, what) => {
    largest = Math.max(largest, length);
    return lenient(address, length, what);
  };
  const log = await readLegacy(src);
  assert.deepEqual(log.records, []);
  assert.match(log.warnings.join("\n"), /plain log ring are missing/);
  assert.ok(largest <= 4 * 2 ** 20, `read ${largest} bytes at once`);
});

const lockless = (sizeRing: string, descRing: string) =>
  [
    "SYMBOL(prb)=1000",
    `SIZE(printk_ringbuffer)=${sizeRing}`,
    `OFFSET(printk_ringbuffer.desc_ring)=${descRing}`,
    "OFFSET(printk_ringbuffer.text_data_ring)=48",
    "OFFSET(prb_desc_ring.count_bits)=0",
    "",
  ].join("\n");

test("lockless: a negative SIZE(printk_ringbuffer) is bad data", async () => {
  const page = new Uint8Array(256);
  new DataView(page.buffer).setBigUint64(0, 0x1010n, true); // prb -> the ring at +16
  await assert.rejects(
    readLockless(source(lockless("-1", "0"), 0x1000n, page)),
    isError("bad-data"),
  );
});

test("lockless: an OFFSET outside the ring struct is bad data", async () => {
  const page = new Uint8Array(256);
  new DataView(page.buffer).setBigUint64(0, 0x1010n, true);
  await assert.rejects(
    readLockless(source(lockless("88", "4096"), 0x1000n, page)),
    isError("bad-data"),
  );
});
