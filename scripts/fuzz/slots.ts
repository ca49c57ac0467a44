/**
 * Where the header fields of each seed dump are, so mutations can hit them with extreme
 * values instead of hoping a random byte lands there: the kdump header, sub-header, the first
 * page descriptors and note headers; the ELF header, program headers and note headers; the
 * flattened stream's record headers (big-endian) and the inner file's fields they carry.
 */
import { viewOf } from "../../src/dump/random-access.js";
import type { FieldSlot } from "./mutate-bytes.js";

export type DumpLayout = "kdump" | "elf";

const DESCRIPTORS_SLOTTED = 32;
const NOTES_SLOTTED = 16;

function notesSlots(bytes: Uint8Array, start: number, size: number, out: FieldSlot[]): void {
  const view = viewOf(bytes);
  let at = start;
  for (let i = 0; i < NOTES_SLOTTED && at + 12 <= Math.min(bytes.length, start + size); i++) {
    out.push({ at, width: 4 }, { at: at + 4, width: 4 }, { at: at + 8, width: 4 });
    const name = view.getUint32(at, true);
    const desc = view.getUint32(at + 4, true);
    at += 12 + ((name + 3) & ~3) + ((desc + 3) & ~3);
  }
}

export function kdumpSlots(bytes: Uint8Array): FieldSlot[] {
  const view = viewOf(bytes);
  const out: FieldSlot[] = [{ at: 8, width: 4 }];
  // timestamp .. nr_cpus
  for (const at of [408, 416]) out.push({ at, width: 8 });
  for (let at = 424; at <= 460; at += 4) out.push({ at, width: 4 });
  const blockSize = view.getInt32(428, true);
  const subBlocks = view.getInt32(432, true);
  const bitmapBlocks = view.getUint32(436, true);
  out.push({ at: blockSize + 8, width: 4 }, { at: blockSize + 12, width: 4 });
  for (let at = blockSize; at <= blockSize + 96; at += 8) out.push({ at, width: 8 });
  const noteAt = Number(view.getBigUint64(blockSize + 48, true));
  const noteSize = Number(view.getBigUint64(blockSize + 56, true));
  notesSlots(bytes, noteAt, noteSize, out);
  // the bitmaps' first words, then the page descriptors (offset, size, flags)
  const bitmaps = (1 + subBlocks) * blockSize;
  for (let i = 0; i < 8; i++) out.push({ at: bitmaps + i * 8, width: 8 });
  out.push({ at: bitmaps + (bitmapBlocks / 2) * blockSize, width: 8 });
  const descs = (1 + subBlocks + bitmapBlocks) * blockSize;
  for (let i = 0; i < DESCRIPTORS_SLOTTED; i++) {
    const at = descs + i * 24;
    out.push({ at, width: 8 }, { at: at + 8, width: 4 }, { at: at + 12, width: 4 });
  }
  return out.filter((s) => s.at >= 0 && s.at + s.width <= bytes.length);
}

export function elfSlots(bytes: Uint8Array): FieldSlot[] {
  const view = viewOf(bytes);
  const out: FieldSlot[] = [
    { at: 4, width: 1 },
    { at: 5, width: 1 },
    { at: 16, width: 2 },
    { at: 18, width: 2 },
    { at: 32, width: 8 },
    { at: 40, width: 8 },
    { at: 48, width: 4 },
    { at: 54, width: 2 },
    { at: 56, width: 2 },
    { at: 58, width: 2 },
    { at: 60, width: 2 },
  ];
  const phoff = Number(view.getBigUint64(32, true));
  const phnum = view.getUint16(56, true);
  for (let i = 0; i < phnum && phoff + (i + 1) * 56 <= bytes.length; i++) {
    const at = phoff + i * 56;
    out.push({ at, width: 4 });
    for (let f = 8; f <= 48; f += 8) out.push({ at: at + f, width: 8 });
    if (view.getUint32(at, true) === 4) {
      const offset = Number(view.getBigUint64(at + 8, true));
      notesSlots(bytes, offset, Number(view.getBigUint64(at + 32, true)), out);
    }
  }
  return out;
}

/** Record headers of the stream, and the inner file's fields where a record carries them. */
export function flattenedSlots(stream: Uint8Array, inner: DumpLayout): FieldSlot[] {
  const view = viewOf(stream);
  const out: FieldSlot[] = [
    { at: 16, width: 8, bigEndian: true },
    { at: 24, width: 8, bigEndian: true },
  ];
  const records: { offset: number; dataAt: number; size: number }[] = [];
  let at = 4096;
  while (at + 16 <= stream.length) {
    const offset = view.getBigInt64(at, false);
    const size = view.getBigInt64(at + 8, false);
    out.push({ at, width: 8, bigEndian: true }, { at: at + 8, width: 8, bigEndian: true });
    if (offset < 0n || size < 0n) break;
    records.push({ offset: Number(offset), dataAt: at + 16, size: Number(size) });
    at += 16 + Number(size);
  }
  // the inner file's slots, moved to where the last record writing them sits in the stream
  const file = new Uint8Array(Math.max(0, ...records.map((r) => r.offset + r.size)));
  for (const r of records) file.set(stream.subarray(r.dataAt, r.dataAt + r.size), r.offset);
  const innerSlots = inner === "kdump" ? kdumpSlots(file) : elfSlots(file);
  for (const slot of innerSlots) {
    const r = records.findLast(
      (x) => slot.at >= x.offset && slot.at + slot.width <= x.offset + x.size,
    );
    if (r !== undefined) out.push({ ...slot, at: r.dataAt + slot.at - r.offset });
  }
  return out;
}
