/**
 * @module dump/writers/elf-writer
 * Builds an ELF64 core in memory: one PT_NOTE, then one PT_LOAD per segment. Used by
 * `crashlens extract` (small dumps of the pages an analysis touched) and by tests, which can
 * also ask for a moved `e_phoff`, `PN_XNUM` counts and zero-filled tails (`p_filesz < p_memsz`).
 */
import { viewOf } from "../random-access.js";
import {
  Elf64Header,
  Elf64ProgramHeader,
  Elf64SectionHeader,
  EM_X86_64,
  ET_CORE,
  PN_XNUM,
  PT_LOAD,
  PT_NOTE,
} from "../structs/elf.js";
import type { ElfNote } from "../types.js";
import { encodeNotes } from "./notes.js";

export interface ElfSegment {
  paddr: bigint;
  /** defaults to paddr (QEMU without paging) */
  vaddr?: bigint;
  /** bytes in the file; the rest up to memsz reads as zeros */
  data: Uint8Array;
  memsz?: bigint;
}

export interface ElfCoreSpec {
  notes: readonly ElfNote[];
  segments: readonly ElfSegment[];
  /** where the program headers go (QEMU: 192); default right after the ELF header */
  phoff?: number;
  /** write e_phnum = PN_XNUM and the count in section header 0 */
  forcePnXnum?: boolean;
  flags?: number;
  /** e_machine (default EM_X86_64) */
  machine?: number;
}

export function writeElfCore(spec: ElfCoreSpec): Uint8Array {
  const notes = encodeNotes(spec.notes);
  const phnum = spec.segments.length + 1;
  const phoff = spec.phoff ?? 64;
  const xnum = spec.forcePnXnum === true || phnum >= PN_XNUM;
  const shoff = phoff + phnum * 56;
  const notesAt = shoff + (xnum ? 64 : 0);
  let dataAt = notesAt + notes.length;
  const total = dataAt + spec.segments.reduce((sum, s) => sum + s.data.length, 0);
  const out = new Uint8Array(total);
  const view = viewOf(out);
  Elf64Header.put(view, 0, {
    ident: "\x7fELF",
    eiClass: 2,
    eiData: 1,
    eiVersion: 1,
    type: ET_CORE,
    machine: spec.machine ?? EM_X86_64,
    version: 1,
    entry: 0n,
    phoff: BigInt(phoff),
    shoff: xnum ? BigInt(shoff) : 0n,
    flags: spec.flags ?? 0,
    ehsize: 64,
    phentsize: 56,
    phnum: xnum ? PN_XNUM : phnum,
    shentsize: xnum ? 64 : 0,
    shnum: xnum ? 1 : 0,
    shstrndx: 0,
  });
  if (xnum) {
    Elf64SectionHeader.put(view, shoff, {
      name: 0,
      type: 0,
      flags: 0n,
      addr: 0n,
      offset: 0n,
      size: 0n,
      link: 0,
      info: phnum,
      addralign: 0n,
      entsize: 0n,
    });
  }
  const zero = { flags: 0, align: 0n };
  Elf64ProgramHeader.put(view, phoff, {
    type: PT_NOTE,
    offset: BigInt(notesAt),
    vaddr: 0n,
    paddr: 0n,
    filesz: BigInt(notes.length),
    memsz: BigInt(notes.length),
    ...zero,
  });
  out.set(notes, notesAt);
  spec.segments.forEach((s, i) => {
    Elf64ProgramHeader.put(view, phoff + (i + 1) * 56, {
      type: PT_LOAD,
      offset: BigInt(dataAt),
      vaddr: s.vaddr ?? s.paddr,
      paddr: s.paddr,
      filesz: BigInt(s.data.length),
      memsz: s.memsz ?? BigInt(s.data.length),
      flags: 7,
      align: 0n,
    });
    out.set(s.data, dataAt);
    dataAt += s.data.length;
  });
  return out;
}
