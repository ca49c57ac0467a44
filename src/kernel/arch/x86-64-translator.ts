/**
 * @module kernel/arch/x86-64-translator
 * x86-64 virtual-to-physical translation without debuginfo: the kernel image
 * (`pa = va − __START_KERNEL_map + phys_base`), the direct map (`pa = va − page_offset_base`)
 * when the dump's headers gave `page_offset_base`, and otherwise a 4- or 5-level walk of
 * `init_top_pgt` with 2 MiB and 1 GiB pages (vmalloc, modules, per-CPU, direct map).
 */

import { PageCache } from "../../dump/page-cache.js";
import type { Dump } from "../../dump/types.js";
import { isCrashlensError } from "../../errors.js";
import { fault, tableAbsent } from "./fault.js";

export { fault };

export const START_KERNEL_MAP = 0xffffffff80000000n;
const DEFAULT_IMAGE_SIZE = 1n << 30n;
const ENTRY_ADDRESS = 0x000ffffffffff000n;
const PRESENT = 1n;
const HUGE = 0x80n;
const PAGE = 4096n;

export interface X86Config {
  physBase: bigint;
  /** SYMBOL(init_top_pgt) (or init_level4_pgt / swapper_pg_dir) */
  topPgt?: bigint;
  levels: 4 | 5;
  smeMask: bigint;
  kernelImageSize?: bigint;
  directMapBase?: bigint;
  /** end of physical memory: the direct map covers no more (vmalloc may follow right after) */
  physicalEnd: bigint;
  /** walk the page tables for every page, also where a formula would do (for `extract`) */
  walkAll?: boolean;
}

export class X86Translator {
  readonly pageSize = 4096;
  private readonly pages = new PageCache<bigint>(4096);
  private readonly imageEnd: bigint;

  constructor(
    private readonly dump: Dump,
    readonly config: X86Config,
  ) {
    this.imageEnd = START_KERNEL_MAP + (config.kernelImageSize ?? DEFAULT_IMAGE_SIZE);
  }

  /** The physical address of `va`, or a `fault` error. */
  async translate(va: bigint): Promise<bigint> {
    if (this.config.walkAll === true) {
      // touch the page tables even where a formula would do, so a recorder of the pages read
      // (extract) keeps what peers need to walk them; fall back to the formulas
      const page = va & ~(PAGE - 1n);
      if (this.pages.get(page) === undefined) {
        try {
          this.pages.set(page, await this.walk(page));
        } catch {
          // not walkable: the formulas below still answer
        }
      }
    }
    if (va >= START_KERNEL_MAP && va < this.imageEnd)
      return va - START_KERNEL_MAP + this.config.physBase;
    const base = this.config.directMapBase;
    if (base !== undefined && va >= base && va < base + this.config.physicalEnd) return va - base;
    const page = va & ~(PAGE - 1n);
    let pa = this.pages.get(page);
    if (pa === undefined) {
      pa = await this.walk(page);
      this.pages.set(page, pa);
    }
    return pa + (va - page);
  }

  /** whether `va` is in the kernel-image mapping (text, data, bss, static buffers) */
  inKernelImage(va: bigint): boolean {
    return va >= START_KERNEL_MAP && va < this.imageEnd;
  }

  /** whether the page tables map `va` to `pa` (undefined when they cannot be read) */
  async checkMapping(va: bigint, pa: bigint): Promise<boolean | undefined> {
    if (this.config.topPgt === undefined) return undefined;
    try {
      return (await this.walk(va & ~(PAGE - 1n))) === (pa & ~(PAGE - 1n));
    } catch (error) {
      // page tables the dump does not hold say nothing either way
      return isCrashlensError(error) && error.details.absent ? undefined : false;
    }
  }

  /** how many bytes from `va` stay physically contiguous without another lookup */
  contiguousSpan(va: bigint): bigint {
    if (this.config.walkAll === true) return PAGE - (va & (PAGE - 1n));
    if (va >= START_KERNEL_MAP && va < this.imageEnd) return this.imageEnd - va;
    const base = this.config.directMapBase;
    if (base !== undefined && va >= base && va < base + this.config.physicalEnd) {
      return base + this.config.physicalEnd - va;
    }
    return PAGE - (va & (PAGE - 1n));
  }

  private async walk(va: bigint): Promise<bigint> {
    const top = this.config.topPgt;
    if (top === undefined)
      throw fault(va, "needs a page-table walk, but VMCOREINFO has no SYMBOL(init_top_pgt)");
    const bits = this.config.levels === 5 ? 57n : 48n;
    const high = va >> (bits - 1n);
    if (high !== 0n && high !== (1n << (65n - bits)) - 1n) throw fault(va, "is not canonical");
    let table = top - START_KERNEL_MAP + this.config.physBase;
    const mask = ENTRY_ADDRESS & ~this.config.smeMask;
    for (let level: number = this.config.levels; level >= 1; level--) {
      const shift = 12n + 9n * BigInt(level - 1);
      const index = (va >> shift) & 511n;
      let entry: bigint;
      try {
        const bytes = await this.dump.readPhysical(table + index * 8n, 8);
        entry = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
      } catch (error) {
        throw tableAbsent(va, table, error);
      }
      if ((entry & PRESENT) === 0n) throw fault(va, "is not mapped");
      if ((level === 2 || level === 3) && (entry & HUGE) !== 0n) {
        const size = 1n << shift;
        return (entry & mask & ~(size - 1n)) + (va & (size - 1n));
      }
      table = entry & mask;
    }
    return table;
  }

  /**
   * Finds `page_offset_base` by walking: the direct map is the first mapping at or above the
   * start of its randomisation region, and it maps physical address 0.
   */
  async findDirectMap(): Promise<bigint | undefined> {
    const top = this.config.topPgt;
    if (top === undefined) return undefined;
    const levels = this.config.levels;
    const regionStart = levels === 5 ? 0xff11000000000000n : 0xffff888000000000n;
    const topShift = 12n + 9n * BigInt(levels - 1);
    const root = top - START_KERNEL_MAP + this.config.physBase;
    const mask = ENTRY_ADDRESS & ~this.config.smeMask;
    const entries = async (table: bigint) => {
      const bytes = await this.dump.readPhysical(table, 4096);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 4096);
      return (i: number) => view.getBigUint64(i * 8, true);
    };
    try {
      const pgd = await entries(root);
      for (let i = Number((regionStart >> topShift) & 511n); i < 512; i++) {
        let entry = pgd(i);
        if ((entry & PRESENT) === 0n) continue;
        // kernel-half addresses: the bits above the top level are all ones
        let va =
          (levels === 5 ? 0xfe00000000000000n : 0xffff000000000000n) | (BigInt(i) << topShift);
        // descend through the first present entries down to the PUD level
        for (let level = levels - 1; level >= 3; level--) {
          const next = await entries(entry & mask);
          const shift = 12n + 9n * BigInt(level - 1);
          let found = -1;
          for (let j = 0; j < 512; j++) {
            if ((next(j) & PRESENT) !== 0n) {
              found = j;
              break;
            }
          }
          if (found < 0) break;
          entry = next(found);
          va |= BigInt(found) << shift;
        }
        va = BigInt.asUintN(64, va);
        try {
          if ((await this.walk(va)) === 0n) return va;
        } catch {
          // not the direct map; keep looking
        }
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
}
