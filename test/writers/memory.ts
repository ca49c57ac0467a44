/**
 * @module test/writers/memory
 * A sparse physical-memory image built in code, written out as any dump format: the shared
 * input of the reader conformance suite and of the synthetic kernel tests.
 */

import type { ElfNote } from "../../src/dump/types.js";
import { writeElfCore } from "../../src/dump/writers/elf-writer.js";
import { type FlatOptions, writeFlattened } from "../../src/dump/writers/flattened-writer.js";
import {
  type Compression,
  type KdumpSpec,
  writeKdump,
} from "../../src/dump/writers/kdump-writer.js";
import { vmcoreinfoNote } from "../../src/dump/writers/notes.js";

export const PAGE = 4096;

export class MemoryImage {
  /** pages with data, by pfn */
  readonly pages = new Map<bigint, Uint8Array>();
  /** RAM pages a dump filter left out: they read as zeros */
  readonly excluded = new Set<bigint>();
  notes: ElfNote[] = [];
  vmcoreinfo?: string;

  page(pfn: bigint): Uint8Array {
    let page = this.pages.get(pfn);
    if (page === undefined) {
      page = new Uint8Array(PAGE);
      this.pages.set(pfn, page);
    }
    return page;
  }

  write(paddr: bigint, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      const at = paddr + BigInt(i);
      const pfn = at / BigInt(PAGE);
      const within = Number(at % BigInt(PAGE));
      const take = Math.min(PAGE - within, bytes.length - i);
      this.page(pfn).set(bytes.subarray(i, i + take), within);
      i += take;
    }
  }

  writeU64(paddr: bigint, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.write(paddr, b);
  }

  writeU32(paddr: bigint, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, true);
    this.write(paddr, b);
  }

  allNotes(): ElfNote[] {
    return this.vmcoreinfo === undefined
      ? this.notes
      : [...this.notes, vmcoreinfoNote(this.vmcoreinfo)];
  }

  maxPfn(): bigint {
    let max = 0n;
    for (const pfn of [...this.pages.keys(), ...this.excluded]) if (pfn > max) max = pfn;
    return max;
  }

  /** ELF: one PT_LOAD per run of pages; excluded pages at a run's end become p_memsz > p_filesz */
  toElf(
    options: {
      phoff?: number;
      forcePnXnum?: boolean;
      directMapBase?: bigint;
      /** e_machine (default EM_X86_64) */
      machine?: number;
    } = {},
  ): Uint8Array {
    const all = [...new Set([...this.pages.keys(), ...this.excluded])].sort((a, b) =>
      a < b ? -1 : 1,
    );
    const segments: Parameters<typeof writeElfCore>[0]["segments"][number][] = [];
    let run: bigint[] = [];
    const flush = () => {
      if (run.length === 0) return;
      // trailing excluded pages are left out of the file
      let filePages = run.length;
      while (filePages > 0 && this.excluded.has(run[filePages - 1] as bigint)) filePages--;
      const data = new Uint8Array(filePages * PAGE);
      for (let i = 0; i < filePages; i++) {
        const page = this.pages.get(run[i] as bigint);
        if (page && !this.excluded.has(run[i] as bigint)) data.set(page, i * PAGE);
      }
      const paddr = (run[0] as bigint) * BigInt(PAGE);
      segments.push({
        paddr,
        vaddr: options.directMapBase === undefined ? paddr : options.directMapBase + paddr,
        data,
        memsz: BigInt(run.length * PAGE),
      });
      run = [];
    };
    for (const pfn of all) {
      if (run.length > 0 && pfn !== (run[run.length - 1] as bigint) + 1n) flush();
      run.push(pfn);
    }
    flush();
    const spec: Parameters<typeof writeElfCore>[0] = { notes: this.allNotes(), segments };
    if (options.phoff !== undefined) spec.phoff = options.phoff;
    if (options.forcePnXnum !== undefined) spec.forcePnXnum = options.forcePnXnum;
    if (options.machine !== undefined) spec.machine = options.machine;
    return writeElfCore(spec);
  }

  async toKdump(compression: Compression, extra: Partial<KdumpSpec> = {}): Promise<Uint8Array> {
    const pages = new Map([...this.pages].filter(([pfn]) => !this.excluded.has(pfn)));
    const spec: KdumpSpec = {
      maxMapnr: this.maxPfn() + 1n,
      pages,
      excluded: this.excluded,
      compression,
      notes: this.allNotes(),
      ...extra,
    };
    if (this.vmcoreinfo !== undefined) spec.vmcoreinfo = this.vmcoreinfo;
    return writeKdump(spec);
  }

  async toFlattened(inner: Uint8Array, options: FlatOptions = {}): Promise<Uint8Array> {
    return writeFlattened(inner, options);
  }
}
