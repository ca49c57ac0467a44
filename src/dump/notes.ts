/**
 * @module dump/notes
 * Parsing an ELF notes blob (PT_NOTE contents, kdump `offset_note`): 4-byte aligned
 * `Elf64_Nhdr`, name, descriptor. A damaged tail ends the list with a warning.
 */
import { checkBound } from "../errors.js";
import { maxNoteBytes } from "./limits.js";
import { viewOf } from "./random-access.js";
import { Elf64NoteHeader } from "./structs/elf.js";
import { cString } from "./structs/struct.js";
import type { ElfNote } from "./types.js";

const align4 = (n: number) => (n + 3) & ~3;

export function parseNotes(blob: Uint8Array, where: string, warnings: string[]): ElfNote[] {
  const notes: ElfNote[] = [];
  const view = viewOf(blob);
  let at = 0;
  while (at + Elf64NoteHeader.size <= blob.length) {
    const header = Elf64NoteHeader.get(view, at);
    // merged PT_NOTE areas end in zero padding
    if (header.namesz === 0 && header.descsz === 0 && header.type === 0) break;
    try {
      checkBound(header.namesz, 4096, `${where}: note name size`);
      checkBound(header.descsz, maxNoteBytes, `${where}: note descriptor size`);
    } catch (error) {
      warnings.push((error as Error).message);
      break;
    }
    const nameAt = at + Elf64NoteHeader.size;
    const descAt = nameAt + align4(header.namesz);
    const end = descAt + align4(header.descsz);
    if (descAt + header.descsz > blob.length) {
      warnings.push(`${where}: note at offset ${at} runs past the end of the notes area`);
      break;
    }
    const name = cString(blob.subarray(nameAt, nameAt + header.namesz));
    notes.push({ name, type: header.type, desc: blob.slice(descAt, descAt + header.descsz) });
    at = end;
  }
  return notes;
}

/** VMCOREINFO text from a note list (name "VMCOREINFO", type 0), NULs trimmed. */
export function vmcoreinfoFromNotes(notes: readonly ElfNote[]): string | undefined {
  const note = notes.find((n) => n.name === "VMCOREINFO");
  return note === undefined ? undefined : cString(note.desc);
}
