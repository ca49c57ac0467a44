/**
 * The lockless ring buffer (5.10+) in the corners the lab dumps never reach (their boot logs
 * fill a tenth of the ring): text blocks that wrap to the start of the data ring, descriptor
 * ids that wrap past 2^62, records overwritten by newer ones, data-less records and
 * reserved (unfinished) records. Built from the layout in `printk_ringbuffer.h` and described
 * by the same VMCOREINFO lines the lab kernel writes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeKernel } from "../../../test/writers/kernel.js";
import { BufferRandomAccess, openDumpFrom } from "../../dump/index.js";
import { formatLog, openKernel } from "../index.js";

const ID_MASK = (1n << 62n) - 1n;
const lines = `SIZE(printk_ringbuffer)=88
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(printk_ringbuffer.fail)=80
SIZE(prb_desc_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
SIZE(prb_data_blk_lpos)=16
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.seq)=0
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(printk_info.caller_id)=20
OFFSET(printk_info.dev_info)=24
SIZE(prb_data_ring)=32
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
OFFSET(prb_data_ring.head_lpos)=16
OFFSET(prb_data_ring.tail_lpos)=24
SIZE(atomic_long_t)=8
OFFSET(atomic_long_t.counter)=0`.split("\n");

interface Rec {
  text: string;
  /** committed (1), finalized (2) or reserved (0) */
  state?: bigint;
}

function build(
  records: Rec[],
  firstId: bigint,
  countBits: number,
  sizeBits: number,
  stale: number[] = [],
) {
  const k = new FakeKernel();
  for (const l of lines) k.line(l);
  const count = 1 << countBits;
  const size = 1n << BigInt(sizeBits);
  const descs = new DataView(new ArrayBuffer(count * 24));
  const infos = new DataView(new ArrayBuffer(count * 88));
  const data = new Uint8Array(Number(size));
  const dataView = new DataView(data.buffer);
  const wraps = (lpos: bigint) => lpos >> BigInt(sizeBits);
  let lpos = 0n;
  const placed: { id: bigint; begin: bigint; next: bigint; rec: Rec; seq: number }[] = [];
  records.forEach((rec, i) => {
    const id = (firstId + BigInt(i)) & ID_MASK;
    const text = new TextEncoder().encode(rec.text);
    let begin: bigint;
    let next: bigint;
    if (text.length === 0) {
      begin = 3n; // NO_LPOS: a data-less record
      next = 3n;
    } else {
      const blockSize = BigInt((8 + text.length + 7) & ~7);
      begin = lpos;
      next =
        wraps(begin) === wraps(begin + blockSize) || (begin + blockSize) % size === 0n
          ? begin + blockSize
          : (wraps(begin + blockSize) << BigInt(sizeBits)) + blockSize;
      const at = next - blockSize === begin ? Number(begin % size) : 0; // wrapped blocks live at the start
      dataView.setBigUint64(at, id, true);
      data.set(text, at + 8);
      lpos = next;
    }
    const slot = Number(id % BigInt(count));
    descs.setBigUint64(slot * 24, ((rec.state ?? 2n) << 62n) | id, true);
    descs.setBigUint64(slot * 24 + 8, begin, true);
    descs.setBigUint64(slot * 24 + 16, next, true);
    infos.setBigUint64(slot * 88, BigInt(i), true);
    infos.setBigUint64(slot * 88 + 8, BigInt(i) * 1_000_000_000n + 500n, true);
    infos.setUint16(slot * 88 + 16, text.length, true);
    infos.setUint8(slot * 88 + 19, 6 << 5);
    placed.push({ id, begin, next, rec, seq: i });
  });
  // the oldest record still whole: its descriptor not reused and its data not overwritten
  const head = placed[placed.length - 1] as (typeof placed)[number];
  const whole = (p: (typeof placed)[number]) =>
    p.seq > head.seq - count && ((p.begin & 1n) === 1n || p.begin >= lpos - size);
  let first = placed.length - 1;
  while (first > 0 && whole(placed[first - 1] as (typeof placed)[number])) first--;
  const live = placed.slice(first);
  const tail = live[0] as (typeof placed)[number];
  // as the kernel does when it pushes the data tail: descriptors whose data is gone become
  // reusable (3), unless a test wants a stale one left behind
  for (const p of placed.slice(0, first)) {
    const slot = Number(p.id % BigInt(count));
    const sv = descs.getBigUint64(slot * 24, true);
    if ((sv & ID_MASK) === p.id && !stale.includes(p.seq))
      descs.setBigUint64(slot * 24, (3n << 62n) | p.id, true);
  }
  // a stale descriptor pointing at overwritten data, inside tail..head: move the tail back to it
  const staleIds = placed.filter((p) => stale.includes(p.seq)).map((p) => p.id);
  for (const seq of stale)
    assert.ok(
      seq < first && !whole(placed[seq] as (typeof placed)[number]) && seq > head.seq - count,
      `record ${seq} must be stale`,
    );
  const tailId = staleIds[0] ?? tail.id;
  // memory: prb -> printk_rb_static; descs, infos and data as static arrays in the image
  const rb = 0x220000n;
  const descsAt = 0x230000n;
  const infosAt = 0x240000n;
  const dataAt = 0x250000n;
  k.image.writeU64(0x201000n, k.va(rb));
  k.symbol("prb", k.va(0x201000n));
  k.symbol("printk_rb_static", k.va(rb));
  k.image.writeU32(rb, countBits);
  k.image.writeU64(rb + 8n, k.va(descsAt));
  k.image.writeU64(rb + 16n, k.va(infosAt));
  k.image.writeU64(rb + 24n, head.id);
  k.image.writeU64(rb + 32n, tailId);
  k.image.writeU32(rb + 48n, sizeBits);
  k.image.writeU64(rb + 56n, k.va(dataAt));
  k.image.write(descsAt, new Uint8Array(descs.buffer));
  k.image.write(infosAt, new Uint8Array(infos.buffer));
  k.image.write(dataAt, data);
  const expected = live
    .filter((p) => (p.rec.state ?? 2n) !== 0n)
    .map((p) => `[${String(p.seq).padStart(5)}.000000] ${p.rec.text}\n`)
    .join("");
  return { image: k.finish(), expected, lpos, size };
}

describe("lockless printk ring (5.10+) in its corners, built from the documented layout", () => {
  it("reads wrapped text blocks, ids wrapping past 2^62, data-less and reserved records", async () => {
    const records: Rec[] = Array.from({ length: 40 }, (_, i) => ({
      text: i % 7 === 3 ? "" : `record ${i} ${"x".repeat((i * 13) % 50)}`,
      state: i === 39 ? 0n : i % 2 === 0 ? 1n : 2n,
    }));
    const { image, expected, lpos, size } = build(records, ID_MASK - 20n, 4, 9);
    assert.ok(lpos > 2n * size, "the data ring wrapped at least twice");
    const dump = await openDumpFrom(new BufferRandomAccess(image.toElf()), "prb.elf");
    const log = await (await openKernel(dump)).readLog();
    assert.equal(log.generation, "lockless");
    assert.deepEqual(log.warnings, []);
    assert.equal(formatLog(log.records), expected);
    assert.ok(log.records.length >= 8);
  });

  it("drops a record whose text a newer record overwrote, and says so", async () => {
    const records: Rec[] = Array.from({ length: 40 }, (_, i) => ({
      text: `record ${i} ${"y".repeat((i * 7) % 40)}`,
    }));
    // record 24's descriptor survives (16 slots, 40 records) but newer text has overwritten it
    const { image, expected } = build(records, 5n, 4, 9, [24]);
    const dump = await openDumpFrom(new BufferRandomAccess(image.toElf()), "stale.elf");
    const log = await (await openKernel(dump)).readLog();
    assert.match(log.warnings.join(";"), /text overwritten by newer ones/);
    assert.equal(formatLog(log.records), expected);
  });
});
