/**
 * @module dump/writers/notes
 * Encoding ELF notes (4-byte aligned name and descriptor), for dump writers.
 */
import type { ElfNote } from "../types.js";

const align4 = (n: number) => (n + 3) & ~3;

export function encodeNotes(notes: readonly ElfNote[]): Uint8Array {
  const size = notes.reduce(
    (sum, n) => sum + 12 + align4(n.name.length + 1) + align4(n.desc.length),
    0,
  );
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const note of notes) {
    view.setUint32(at, note.name.length + 1, true);
    view.setUint32(at + 4, note.desc.length, true);
    view.setUint32(at + 8, note.type, true);
    for (let i = 0; i < note.name.length; i++) out[at + 12 + i] = note.name.charCodeAt(i);
    at += 12 + align4(note.name.length + 1);
    out.set(note.desc, at);
    at += align4(note.desc.length);
  }
  return out;
}

export function vmcoreinfoNote(text: string): ElfNote {
  return { name: "VMCOREINFO", type: 0, desc: new TextEncoder().encode(text) };
}
