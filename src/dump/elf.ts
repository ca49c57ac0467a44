/**
 * @module dump/elf
 * ELF64 core files as physical memory: kdump `/proc/vmcore` copies, QEMU `dump-guest-memory`
 * ELF, makedumpfile `-E` output. PT_LOADs map physical ranges to file ranges; the part of a
 * segment past `p_filesz` is a `filtered` fault (pages makedumpfile excluded: unknown, not zero). `e_phoff` is always
 * honoured (QEMU puts the headers at 192) and `PN_XNUM` counts come from section header 0.
 */
import { CrashlensError, checkBound } from "../errors.js";
import { maxNotesAreaBytes, maxSegments } from "./limits.js";
import { parseNotes, vmcoreinfoFromNotes } from "./notes.js";
import { FILTERED, hex, PagedMemory, pageFault } from "./paged-memory.js";
import { type RandomAccess, viewOf } from "./random-access.js";
import {
  ELF_FLAG_INCOMPLETE,
  ELFCLASS64,
  ELFDATA2LSB,
  Elf64Header,
  Elf64ProgramHeader,
  Elf64SectionHeader,
  EM_AARCH64,
  EM_X86_64,
  ET_CORE,
  PN_XNUM,
  PT_LOAD,
  PT_NOTE,
} from "./structs/elf.js";
import type { Dump, DumpHints, ElfNote, Fact, PhysicalRange } from "./types.js";

/** the kernel-image mapping base on x86-64; PT_LOADs at or above it are the kernel text copy */
const START_KERNEL_MAP = 0xffffffff80000000n;
const KERNEL_HALF = 0xff00000000000000n;
const ELF_PAGE_SIZE = 4096;
/** program headers read per request */
const PHDR_BATCH = 16384;

export interface LoadSegment {
  readonly paddr: bigint;
  readonly vaddr: bigint;
  readonly offset: number;
  readonly filesz: bigint;
  readonly memsz: bigint;
}

const machines: Record<number, string> = {
  62: "x86_64",
  183: "aarch64",
  3: "i386",
  21: "ppc64",
  22: "s390x",
};

export class ElfDump extends PagedMemory implements Dump {
  readonly format = "elf" as const;
  readonly flavour: string;
  readonly description: string;
  readonly vmcoreinfo: string | undefined;
  readonly directMapBase: bigint | undefined;
  /** segments sorted by physical start, with the running maximum end for overlap search */
  private readonly maxEnd: bigint[];

  private constructor(
    private readonly source: RandomAccess,
    readonly path: string,
    readonly notes: readonly ElfNote[],
    private readonly segments: readonly LoadSegment[],
    private readonly header: ReturnType<typeof Elf64Header.get>,
    private readonly phnum: number,
    readonly warnings: string[],
    outer: string | undefined,
  ) {
    super(ELF_PAGE_SIZE);
    this.vmcoreinfo = vmcoreinfoFromNotes(notes);
    let maxEnd = 0n;
    this.maxEnd = segments.map((s) => {
      const end = s.paddr + s.memsz;
      maxEnd = end > maxEnd ? end : maxEnd;
      return maxEnd;
    });
    this.directMapBase = findDirectMapBase(segments);
    const qemu = notes.some((n) => n.name === "QEMU");
    const filtered = segments.some((s) => s.filesz < s.memsz);
    this.flavour = qemu ? "qemu" : "kdump";
    const parts = [
      `ELF64 core${outer ? ` in ${outer}` : ""} (${qemu ? "QEMU dump-guest-memory" : "kdump /proc/vmcore"})`,
      `${segments.length} PT_LOAD`,
    ];
    if (filtered) parts.push("filtered (p_filesz < p_memsz)");
    if (this.directMapBase === undefined) parts.push("physical addresses only");
    if (header.flags & ELF_FLAG_INCOMPLETE) parts.push("INCOMPLETE");
    this.description = parts.join(", ");
  }

  static async open(source: RandomAccess, path: string, outer?: string): Promise<ElfDump> {
    const warnings: string[] = [];
    const header = Elf64Header.get(viewOf(await source.read(0, Elf64Header.size)));
    if (header.eiClass !== ELFCLASS64) {
      throw new CrashlensError(
        "unsupported",
        `${path}: ELF class ${header.eiClass} (only 64-bit cores are read)`,
        { path },
      );
    }
    if (header.eiData !== ELFDATA2LSB) {
      throw new CrashlensError("unsupported", `${path}: big-endian ELF cores are not supported`, {
        path,
      });
    }
    if (header.type !== ET_CORE) {
      throw new CrashlensError(
        "bad-data",
        `${path}: ELF e_type is ${header.type}, not a core file (4)`,
        { path },
      );
    }
    if (header.phentsize !== Elf64ProgramHeader.size) {
      throw new CrashlensError(
        "bad-data",
        `${path}: ELF e_phentsize is ${header.phentsize}, expected 56`,
        { path },
      );
    }
    let phnum = header.phnum;
    if (phnum === PN_XNUM) {
      // the real count lives in section header 0 (sh_info)
      const section = Elf64SectionHeader.get(
        viewOf(await source.read(Number(header.shoff), Elf64SectionHeader.size)),
      );
      phnum = section.info;
    }
    checkBound(phnum, maxSegments, `${path}: ELF program header count`);
    const phoff = Number(header.phoff);
    const notes: ElfNote[] = [];
    const segments: LoadSegment[] = [];
    let notesBytes = 0;
    for (let first = 0; first < phnum; first += PHDR_BATCH) {
      const count = Math.min(PHDR_BATCH, phnum - first);
      let table: Uint8Array;
      try {
        table = await source.read(phoff + first * 56, count * 56);
      } catch (error) {
        throw new CrashlensError(
          "truncated",
          `${path}: the ELF program headers run past the end of the file`,
          { path, cause: error },
        );
      }
      const view = viewOf(table);
      for (let i = 0; i < count; i++) {
        const ph = Elf64ProgramHeader.get(view, i * 56);
        if (ph.type === PT_LOAD) {
          if (ph.filesz > ph.memsz)
            warnings.push(`${path}: PT_LOAD ${first + i} has p_filesz > p_memsz; using p_memsz`);
          segments.push({
            paddr: ph.paddr,
            vaddr: ph.vaddr,
            offset: Number(ph.offset),
            filesz: ph.filesz > ph.memsz ? ph.memsz : ph.filesz,
            memsz: ph.memsz,
          });
        } else if (ph.type === PT_NOTE && ph.filesz > 0n) {
          notesBytes += Number(ph.filesz);
          checkBound(notesBytes, maxNotesAreaBytes, `${path}: ELF notes size`);
          const available = Math.max(
            0,
            Math.min(Number(ph.filesz), source.size - Number(ph.offset)),
          );
          if (available < Number(ph.filesz))
            warnings.push(`${path}: the PT_NOTE segment is cut short by the end of the file`);
          if (available > 0) {
            notes.push(
              ...parseNotes(
                await source.read(Number(ph.offset), available),
                `${path} PT_NOTE`,
                warnings,
              ),
            );
          }
        }
      }
    }
    segments.sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : 0));
    if (header.flags & ELF_FLAG_INCOMPLETE)
      warnings.push(`${path}: marked incomplete by makedumpfile (e_flags bit 0)`);
    if (header.machine !== EM_X86_64 && header.machine !== EM_AARCH64)
      warnings.push(
        `${path}: e_machine ${header.machine} is neither x86_64 nor aarch64; address translation will not work`,
      );
    return new ElfDump(source, path, notes, segments, header, phnum, warnings, outer);
  }

  private overlapping(start: bigint, end: bigint): LoadSegment[] {
    // last segment starting before `end`, then back while an earlier one may still reach `start`
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.segments[mid] as LoadSegment).paddr < end) lo = mid + 1;
      else hi = mid;
    }
    const found: LoadSegment[] = [];
    for (let i = lo - 1; i >= 0 && (this.maxEnd[i] as bigint) > start; i--) {
      const s = this.segments[i] as LoadSegment;
      if (s.paddr + s.memsz > start) found.push(s);
    }
    return found;
  }

  protected async loadPage(pfn: bigint): Promise<Uint8Array> {
    const size = BigInt(this.pageSize);
    const start = pfn * size;
    const end = start + size;
    const hits = this.overlapping(start, end);
    if (hits.length === 0) throw pageFault(this.path, start, "is not in the dump");
    // a page wholly in segments' zero-filled tails was filtered out (makedumpfile -E)
    if (hits.every((s) => s.paddr + s.filesz <= start))
      throw pageFault(this.path, start, FILTERED, { filtered: true });
    const page = new Uint8Array(this.pageSize);
    // earlier segments (lower start) are written last so RAM ranges win over duplicates
    for (const s of hits.reverse()) {
      const from = start > s.paddr ? start : s.paddr;
      const fileEnd = s.paddr + s.filesz;
      const to = end < fileEnd ? end : fileEnd;
      if (to <= from) continue; // only the zero-filled tail of the segment
      const fileOffset = s.offset + Number(from - s.paddr);
      const length = Number(to - from);
      if (fileOffset + length > this.source.size) {
        throw pageFault(this.path, start, "is past the end of the (truncated) file");
      }
      page.set(await this.source.read(fileOffset, length), Number(from - start));
    }
    return page;
  }

  async hasPage(paddr: bigint): Promise<boolean> {
    const start = paddr - (paddr % BigInt(this.pageSize));
    return this.overlapping(start, start + BigInt(this.pageSize)).length > 0;
  }

  /** bytes of a segment the file really holds: a damaged or cut dump may claim more */
  private inFile(s: LoadSegment): bigint {
    const available = BigInt(Math.max(0, this.source.size - s.offset));
    return s.filesz < available ? s.filesz : available;
  }

  /**
   * The physical ranges whose bytes the file holds: each segment's file part, less the holes
   * of a source that has them (a flattened stream whose records skip, or a damaged one that
   * claims an exabyte), so that scanning stored pages reads only what is there.
   */
  private *heldPhysical(): Iterable<[start: bigint, end: bigint]> {
    for (const s of this.segments) {
      const length = this.inFile(s);
      if (length <= 0n) continue;
      const file = Number(s.offset);
      const held = this.source.heldRanges?.(file, file + Number(length)) ?? [
        [file, file + Number(length)],
      ];
      for (const [from, to] of held) {
        yield [s.paddr + BigInt(from - file), s.paddr + BigInt(to - file)];
      }
    }
  }

  async *storedPages(): AsyncIterable<bigint> {
    const size = BigInt(this.pageSize);
    let last = -1n;
    for (const [start, end] of this.heldPhysical()) {
      const first = (start + size - 1n) / size;
      for (let pfn = first > last ? first : last + 1n; pfn < end / size; pfn++) {
        last = pfn;
        yield pfn;
      }
    }
  }

  storedPageCount(): number {
    const size = BigInt(this.pageSize);
    let pages = 0;
    for (const [start, end] of this.heldPhysical()) pages += Number((end - start) / size);
    return pages;
  }

  ranges(): readonly PhysicalRange[] {
    return mergeRanges(this.segments.map((s) => ({ start: s.paddr, end: s.paddr + s.memsz })));
  }

  hints(): DumpHints {
    // the kernel text segment maps __START_KERNEL_map: its physical start gives phys_base
    const elfMachine = this.header.machine;
    if (elfMachine !== EM_X86_64) return { elfMachine };
    const text = this.segments.find((s) => s.vaddr >= START_KERNEL_MAP);
    return text === undefined
      ? { elfMachine }
      : { elfMachine, physBase: BigInt.asIntN(64, text.paddr - (text.vaddr - START_KERNEL_MAP)) };
  }

  /** the PT_LOAD segments, for writers that copy this dump's layout */
  loadSegments(): readonly LoadSegment[] {
    return this.segments;
  }

  facts(): Fact[] {
    const memory = this.segments.reduce((sum, s) => sum + s.memsz, 0n);
    const inFile = this.segments.reduce((sum, s) => sum + s.filesz, 0n);
    const mib = (bytes: bigint) => `${bytes / 1048576n} MiB`;
    const machine = machines[this.header.machine] ?? String(this.header.machine);
    return [
      { key: "machine", label: "ELF machine", value: machine },
      {
        key: "programHeaders",
        label: "program headers",
        value: this.phnum,
        text: this.phnum + (this.header.phnum === PN_XNUM ? " (PN_XNUM)" : ""),
      },
      { key: "phoff", label: "e_phoff", value: Number(this.header.phoff) },
      { key: "loadSegments", label: "PT_LOAD segments", value: this.segments.length },
      {
        key: "physicalMemoryBytes",
        label: "physical memory",
        value: Number(memory),
        text: mib(memory),
      },
      { key: "fileBytes", label: "bytes in file", value: Number(inFile), text: mib(inFile) },
      {
        key: "directMapBase",
        label: "direct map (page_offset_base)",
        value: this.directMapBase === undefined ? undefined : hex(this.directMapBase),
        text: this.directMapBase === undefined ? "not in headers" : hex(this.directMapBase),
      },
      {
        key: "incomplete",
        label: "incomplete",
        value: (this.header.flags & ELF_FLAG_INCOMPLETE) !== 0,
      },
      {
        key: "notes",
        label: "notes",
        value: this.notes.map((n) => ({ name: n.name, type: n.type })),
        text: this.notes.map((n) => `${n.name}/${n.type}`).join(" "),
      },
    ];
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

/**
 * `page_offset_base` from RAM PT_LOADs whose p_vaddr is a direct-map address (kdump). QEMU's
 * paging mode also writes vmalloc and module mappings, so the offset (p_vaddr − p_paddr)
 * shared by the most bytes wins: the direct map is the one mapping of all RAM.
 */
function findDirectMapBase(segments: readonly LoadSegment[]): bigint | undefined {
  const bytes = new Map<bigint, bigint>();
  for (const s of segments) {
    if (s.vaddr >= KERNEL_HALF && s.vaddr < START_KERNEL_MAP && s.vaddr !== s.paddr) {
      const delta = s.vaddr - s.paddr;
      bytes.set(delta, (bytes.get(delta) ?? 0n) + s.memsz);
    }
  }
  let best: bigint | undefined;
  let most = 0n;
  for (const [delta, total] of bytes) {
    if (total > most) {
      best = delta;
      most = total;
    }
  }
  return best;
}

export function mergeRanges(ranges: PhysicalRange[]): PhysicalRange[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: { start: bigint; end: bigint }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.start <= last.end) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ start: r.start, end: r.end });
  }
  return out;
}
