/**
 * The kernel memory images the printk and kallsyms targets mutate: the lockless ring of a
 * real lab dump (captured from testdata/dumps through its own log reader), and rings of the
 * two older generations and kallsyms tables built in code from the kernel's layouts.
 */

import { KdumpCompressedDump } from "../../src/dump/kdump-compressed.js";
import { BufferRandomAccess } from "../../src/dump/random-access.js";
import { openKernel } from "../../src/kernel/index.js";
import { readLockless } from "../../src/kernel/printk/prb.js";
import { kdumpBytes } from "./corpus.js";
import { PageMemory } from "./memory.js";
import type { FieldSlot } from "./mutate-bytes.js";

export interface KernelImage {
  vmcoreinfo: string;
  memory: PageMemory;
  slots: FieldSlot[];
}

const u64le = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
const u32le = (v: number) => u64le(BigInt(v)).subarray(0, 4);

let lockless: Promise<KernelImage> | undefined;

/** The pages the real nullread dump's lockless log reader reads, with its VMCOREINFO. */
export function locklessImage(): Promise<KernelImage> {
  lockless ??= captureLockless();
  return lockless;
}

async function captureLockless(): Promise<KernelImage> {
  const bytes = kdumpBytes("nullread-dmesg.kdump-zlib");
  const dump = await KdumpCompressedDump.open(new BufferRandomAccess(bytes), "nullread");
  const kernel = await openKernel(dump);
  const pages = new Set<bigint>();
  const note = (address: bigint, length: number) => {
    for (let p = address & ~0xfffn; p < address + BigInt(length); p += 4096n) pages.add(p);
  };
  const pieces: { address: bigint; bytes: Uint8Array }[] = [];
  const source = {
    info: kernel.vmcoreinfo,
    warnings: [],
    read: async (address: bigint, length: number) => {
      note(address, length);
      return kernel.readVirtual(address, length);
    },
    readLenient: async (address: bigint, length: number) => {
      note(address, length);
      return { bytes: await kernel.readVirtual(address, length), holes: [] };
    },
  };
  await readLockless(source);
  for (const page of pages) {
    try {
      pieces.push({ address: page, bytes: await kernel.readVirtual(page, 4096) });
    } catch {
      // a page the dump left out stays a hole
    }
  }
  await dump.close();
  const memory = PageMemory.fromPieces(pieces);
  const info = kernel.vmcoreinfo;
  const prb = info.symbols.get("prb") as bigint;
  const slots: FieldSlot[] = [...memory.slot(prb)];
  const rbAt = memory.indexOf(prb);
  if (rbAt >= 0) {
    const rb = new DataView(memory.image.buffer).getBigUint64(rbAt, true);
    const rbSize = info.sizes.get("printk_ringbuffer") ?? 0;
    for (let f = 0; f < rbSize; f += 4) slots.push(...memory.slot(rb + BigInt(f), f % 8 ? 4 : 8));
  }
  return { vmcoreinfo: info.raw, memory, slots };
}

const VARS = 0xffffffff82000000n;
const BUF = 0xffff888000100000n;

/** A 3.5–5.9 `printk_log` ring holding `texts`, as the kernel lays it out. */
export function structuredImage(texts: readonly string[], bufPages: number): KernelImage {
  const bufLen = bufPages * 4096;
  const buf = new Uint8Array(bufLen);
  const view = new DataView(buf.buffer);
  let at = 0;
  for (const [i, text] of texts.entries()) {
    const body = new TextEncoder().encode(text).subarray(0, 1000);
    const len = (20 + body.length + 7) & ~7;
    if (at + len + 20 > bufLen) break;
    view.setBigUint64(at, BigInt(i) * 1000n, true);
    view.setUint16(at + 8, len, true);
    view.setUint16(at + 10, body.length, true);
    view.setUint8(at + 15, 6 << 5);
    view.setUint32(at + 16, i % 2 ? 0x80000001 : i, true);
    buf.set(body, at + 20);
    at += len;
  }
  const vmcoreinfo = [
    `SYMBOL(log_buf)=${VARS.toString(16)}`,
    `SYMBOL(log_buf_len)=${(VARS + 8n).toString(16)}`,
    `SYMBOL(log_first_idx)=${(VARS + 16n).toString(16)}`,
    `SYMBOL(log_next_idx)=${(VARS + 24n).toString(16)}`,
    "SIZE(printk_log)=20",
    "OFFSET(printk_log.ts_nsec)=0",
    "OFFSET(printk_log.len)=8",
    "OFFSET(printk_log.text_len)=10",
    "OFFSET(printk_log.dict_len)=12",
    "OFFSET(printk_log.caller_id)=16",
    "",
  ].join("\n");
  const memory = PageMemory.fromPieces([
    { address: VARS, bytes: u64le(BUF) },
    { address: VARS + 8n, bytes: u32le(bufLen) },
    { address: VARS + 16n, bytes: u32le(0) },
    { address: VARS + 24n, bytes: u32le(at) },
    { address: BUF, bytes: buf },
  ]);
  const slots = [0n, 8n, 16n, 24n].flatMap((o) => memory.slot(VARS + o, o === 0n ? 8 : 4));
  for (let i = 0; i < 16; i++) slots.push(...memory.slot(BUF + BigInt(i * 8), 8));
  return { vmcoreinfo, memory, slots };
}

/** A pre-3.5 plain character ring holding `text`, `end` bytes written. */
export function legacyImage(text: string, bufPages: number, end: number): KernelImage {
  const bufLen = bufPages * 4096;
  const bytes = new TextEncoder().encode(text).subarray(0, bufLen);
  const vmcoreinfo = [
    `SYMBOL(log_buf)=${VARS.toString(16)}`,
    `SYMBOL(log_buf_len)=${(VARS + 8n).toString(16)}`,
    `SYMBOL(log_end)=${(VARS + 16n).toString(16)}`,
    "",
  ].join("\n");
  const memory = PageMemory.fromPieces([
    { address: VARS, bytes: u64le(BUF) },
    { address: VARS + 8n, bytes: u32le(bufLen) },
    { address: VARS + 16n, bytes: u32le(end) },
    { address: BUF, bytes: new Uint8Array(bufLen) },
  ]);
  memory.image.set(bytes, memory.indexOf(BUF));
  const slots = [0n, 8n, 16n].flatMap((o) => memory.slot(VARS + o, o === 0n ? 8 : 4));
  return { vmcoreinfo, memory, slots };
}

const KALLSYMS = 0xffffffff83000000n;
const STEXT = 0xffffffff81000000n;

/**
 * kallsyms tables (6.0+ layout, base-relative offsets) for `names`: one single-character
 * token per byte value, so every name encodes as its own bytes, the first being its nm type.
 */
export function kallsymsImage(names: readonly string[]): KernelImage {
  const all = ["T_stext", ...names.map((n) => `t${n}`)];
  const enc = new TextEncoder();
  const tokenTable = new Uint8Array(512);
  const tokenIndex = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    tokenTable[i * 2] = i;
    new DataView(tokenIndex.buffer).setUint16(i * 2, i * 2, true);
  }
  const nameBytes: number[] = [];
  for (const name of all) {
    const b = enc.encode(name).subarray(0, 127);
    nameBytes.push(b.length, ...b);
  }
  const offsets = new Uint8Array(all.length * 4);
  all.forEach((_, i) => {
    new DataView(offsets.buffer).setUint32(i * 4, i * 16, true);
  });
  const at = (k: number) => KALLSYMS + BigInt(k) * 0x10000n;
  const vmcoreinfo = [
    `SYMBOL(_stext)=${STEXT.toString(16)}`,
    `SYMBOL(kallsyms_names)=${at(0).toString(16)}`,
    `SYMBOL(kallsyms_num_syms)=${at(1).toString(16)}`,
    `SYMBOL(kallsyms_token_table)=${at(2).toString(16)}`,
    `SYMBOL(kallsyms_token_index)=${at(3).toString(16)}`,
    `SYMBOL(kallsyms_offsets)=${at(4).toString(16)}`,
    `SYMBOL(kallsyms_relative_base)=${at(5).toString(16)}`,
    "",
  ].join("\n");
  const memory = PageMemory.fromPieces([
    { address: at(0), bytes: new Uint8Array(nameBytes) },
    { address: at(1), bytes: u32le(all.length) },
    { address: at(2), bytes: tokenTable },
    { address: at(3), bytes: tokenIndex },
    { address: at(4), bytes: offsets },
    { address: at(5), bytes: u64le(STEXT) },
  ]);
  const slots: FieldSlot[] = [...memory.slot(at(1), 4), ...memory.slot(at(5))];
  for (let i = 0; i < 8; i++) slots.push(...memory.slot(at(3) + BigInt(i * 2), 4));
  for (let i = 0; i < 8; i++) slots.push(...memory.slot(at(4) + BigInt(i * 4), 4));
  return { vmcoreinfo, memory, slots };
}
