/**
 * @module dump/structs/elf
 * ELF64 little-endian core-file structures (`include/uapi/linux/elf.h`, System V gABI).
 */
import { defineStruct } from "./struct.js";

export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ET_CORE = 4;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const PT_LOAD = 1;
export const PT_NOTE = 4;
/** e_phnum value meaning "the real count is in section header 0's sh_info" */
export const PN_XNUM = 0xffff;
/** makedumpfile marks an incomplete ELF dump with this e_flags bit */
export const ELF_FLAG_INCOMPLETE = 0x1;

export const Elf64Header = defineStruct(64, {
  ident: { type: "chars", offset: 0, length: 4 }, // \x7fELF
  eiClass: { type: "u8", offset: 4 }, // 2 = 64-bit
  eiData: { type: "u8", offset: 5 }, // 1 = little-endian
  eiVersion: { type: "u8", offset: 6 },
  type: { type: "u16", offset: 16 }, // 4 = ET_CORE
  machine: { type: "u16", offset: 18 }, // 62 = x86-64
  version: { type: "u32", offset: 20 },
  entry: { type: "u64", offset: 24 },
  phoff: { type: "u64", offset: 32 }, // QEMU puts this at 192, not 64: always honour it
  shoff: { type: "u64", offset: 40 },
  flags: { type: "u32", offset: 48 }, // bit 0: makedumpfile "incomplete"
  ehsize: { type: "u16", offset: 52 },
  phentsize: { type: "u16", offset: 54 },
  phnum: { type: "u16", offset: 56 }, // PN_XNUM: see section 0's sh_info
  shentsize: { type: "u16", offset: 58 },
  shnum: { type: "u16", offset: 60 },
  shstrndx: { type: "u16", offset: 62 },
});

export const Elf64ProgramHeader = defineStruct(56, {
  type: { type: "u32", offset: 0 }, // PT_LOAD / PT_NOTE
  flags: { type: "u32", offset: 4 },
  offset: { type: "u64", offset: 8 }, // file offset
  vaddr: { type: "u64", offset: 16 }, // kdump: direct-map VA; QEMU without paging: == paddr
  paddr: { type: "u64", offset: 24 },
  filesz: { type: "u64", offset: 32 }, // < memsz: the rest reads as zeros (makedumpfile -E)
  memsz: { type: "u64", offset: 40 },
  align: { type: "u64", offset: 48 },
});

export const Elf64SectionHeader = defineStruct(64, {
  name: { type: "u32", offset: 0 },
  type: { type: "u32", offset: 4 },
  flags: { type: "u64", offset: 8 },
  addr: { type: "u64", offset: 16 },
  offset: { type: "u64", offset: 24 },
  size: { type: "u64", offset: 32 },
  link: { type: "u32", offset: 40 },
  info: { type: "u32", offset: 44 }, // the real e_phnum under PN_XNUM
  addralign: { type: "u64", offset: 48 },
  entsize: { type: "u64", offset: 56 },
});

/** Elf64_Nhdr; name and descriptor follow, each padded to 4 bytes */
export const Elf64NoteHeader = defineStruct(12, {
  namesz: { type: "u32", offset: 0 },
  descsz: { type: "u32", offset: 4 },
  type: { type: "u32", offset: 8 },
});
