/**
 * @module dump/types
 * The one interface every dump reader offers: physical-memory reads plus the ELF notes.
 */

export type DumpFormat = "elf" | "kdump-compressed" | "flattened";

export interface ElfNote {
  readonly name: string;
  readonly type: number;
  readonly desc: Uint8Array;
}

/** A physical range the dump holds (pages in it may still be filtered out: a read fails). */
export interface PhysicalRange {
  readonly start: bigint;
  readonly end: bigint;
}

/** What a dump's own headers say about the kernel, for when VMCOREINFO is silent. */
export interface DumpHints {
  /** ELF e_machine (62 x86-64, 183 AArch64), for ELF cores */
  elfMachine?: number;
  /** kdump sub-header phys_base, or the ELF kernel-text PT_LOAD's physical offset */
  physBase?: bigint;
  /** kdump header timestamp */
  crashTime?: Date;
  /** kdump header utsname */
  release?: string;
  machine?: string;
  /** kdump header current_cpu (makedumpfile's guess at the crashing CPU) */
  currentCpu?: number;
}

/** A JSON value, as a fact's typed form (`info --json`). */
export type FactValue =
  | string
  | number
  | boolean
  | readonly FactValue[]
  | { readonly [key: string]: FactValue | undefined };

/**
 * One fact `crashlens info` reports: its stable camelCase JSON key, its text label and its
 * typed value (numbers as numbers, addresses as "0x…" strings). `text` is the text form when
 * it is not `String(value)`; a fact with neither value nor text is not known and not shown.
 */
export interface Fact {
  readonly key: string;
  readonly label: string;
  readonly value: FactValue | undefined;
  readonly text?: string;
}

export interface Dump {
  readonly format: DumpFormat;
  /** sub-flavour: "kdump", "qemu", "makedumpfile-elf"; for flattened, the inner format */
  readonly flavour?: string;
  /** one line, e.g. "makedumpfile kdump-compressed v6, zlib, dump level 31" */
  readonly description: string;
  readonly path: string;
  readonly notes: readonly ElfNote[];
  /** raw VMCOREINFO text when present */
  readonly vmcoreinfo?: string;
  /** page size the reader works in (block size, or 4096 for ELF) */
  readonly pageSize: number;
  /** `PAGE_OFFSET` learned from the dump's own headers (ELF PT_LOAD p_vaddr), if any */
  readonly directMapBase?: bigint;
  /** header facts about the kernel, for when VMCOREINFO lacks them */
  hints(): DumpHints;
  /** problems met while opening that did not stop it */
  readonly warnings: readonly string[];
  /**
   * Physical memory. Throws CrashlensError("fault", …, { address }) for pages not in the dump;
   * pages that are RAM but were filtered out fail with a `fault` whose details say `filtered`.
   */
  readPhysical(paddr: bigint, length: number): Promise<Uint8Array>;
  /** whether the page holding `paddr` is in the dump (filtered-out RAM counts as present) */
  hasPage(paddr: bigint): Promise<boolean>;
  /** page frames whose data is stored in the file (not holes, not filtered out), ascending */
  storedPages(): AsyncIterable<bigint>;
  /** how many pages `storedPages` yields, when cheap to know (for progress) */
  storedPageCount?(): number | undefined;
  /** physical ranges covered by the dump, in order */
  ranges(): readonly PhysicalRange[];
  /** counts the dump's pages for `facts()` (may read the whole bitmap: only for `info`) */
  countPages?(): Promise<void>;
  /** header facts for `crashlens info`, in the order the text shows them */
  facts(): readonly Fact[];
  /** called with each page frame number read from the file (for `extract`) */
  onPageRead?: ((pfn: bigint) => void) | undefined;
  close(): Promise<void>;
}
