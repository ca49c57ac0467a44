/**
 * @module kernel/arch/arm64-translator
 * arm64 virtual-to-physical translation from VMCOREINFO alone: the linear map by formula
 * (`pa = va − PAGE_OFFSET + PHYS_OFFSET`, `arch/arm64/include/asm/memory.h: __lm_to_phys`),
 * everything else (kernel image, vmalloc, modules, vmemmap, per-CPU) by walking
 * `swapper_pg_dir` with the granule and VA size VMCOREINFO gives; the kernel image also by
 * formula (`pa = va − kimage_voffset`, `__kimg_to_phys`) when its page tables are not in the
 * dump. Contiguous-hint bits are ignored (they only tell the TLB it may merge entries).
 */
import { PageCache } from "../../dump/page-cache.js";
import type { Dump } from "../../dump/types.js";
import { isCrashlensError } from "../../errors.js";
import { fault, tableAbsent } from "./fault.js";
import type { Translator } from "./types.js";

const TOP = 1n << 64n;
/**
 * the kernel image is at most this big (Debian's arm64 Image is ~35 MiB; `_end` is not in
 * VMCOREINFO): bounds `inKernelImage`, which only picks the pages `extract` also maps at their
 * image addresses and the kimage_voffset fallback when the image's tables are not in the dump
 */
const MAX_IMAGE_SIZE = 128n << 20n;

export interface Arm64Config {
  /** NUMBER(VA_BITS): the configured VA size; PAGE_OFFSET and the top table's size follow it */
  readonly vaBits: number;
  /** 64 − NUMBER(TCR_EL1_T1SZ): the VA size in use (48 for a 52-bit kernel on 48-bit hardware) */
  readonly vaBitsActual: number;
  /** log2(PAGESIZE): 12, 14 or 16 (4, 16 or 64 KiB granule) */
  readonly pageShift: number;
  /** NUMBER(MAX_PHYSMEM_BITS): 52 means descriptors carry PA[51:48] (64 KiB, LPA) or PA[51:50] (LPA2) */
  readonly physBits: number;
  /** NUMBER(PHYS_OFFSET): the physical address the linear map starts at (u64, may wrap) */
  readonly physOffset: bigint;
  /**
   * Linux kernel commit 14c127c957c1 ("arm64: mm: Flip kernel VA space") (in v5.4) moved the
   * linear map from the upper to the lower half of the kernel's VA range; true when it is low.
   */
  readonly flipped: boolean;
  /** NUMBER(kimage_voffset) (since v4.6: before, the image was inside the linear map) */
  readonly kimageVoffset?: bigint;
  /** `_text` (SYMBOL(_stext) rounded down to 2 MiB): the kernel image's start */
  readonly imageStart?: bigint;
  /** SYMBOL(swapper_pg_dir), a kernel-image address */
  readonly swapperPgDir?: bigint;
  /** walk the page tables for every page, also where a formula would do (for `extract`) */
  readonly walkAll?: boolean;
}

/** PAGE_OFFSET and PAGE_END: the linear map is [pageOffset, pageEnd) */
export function linearRange(config: Pick<Arm64Config, "vaBits" | "flipped">): {
  pageOffset: bigint;
  pageEnd: bigint;
} {
  const bits = BigInt(config.vaBits);
  if (!config.flipped) return { pageOffset: TOP - (1n << (bits - 1n)), pageEnd: TOP };
  // PAGE_END = _PAGE_END(VA_BITS_MIN): a 52-bit kernel keeps its linear map within 48 bits
  const min = BigInt(Math.min(config.vaBits, 48));
  return { pageOffset: TOP - (1n << bits), pageEnd: TOP - (1n << (min - 1n)) };
}

/** How many levels the kernel's tables have (`ARM64_HW_PGTABLE_LEVELS`). */
export function tableLevels(vaBits: number, pageShift: number): number {
  return Math.ceil((vaBits - pageShift) / (pageShift - 3));
}

export class Arm64Translator implements Translator {
  readonly pageSize: number;
  readonly pageOffset: bigint;
  readonly pageEnd: bigint;
  readonly levels: number;
  /** VA bits the walk indexes: the top table is sized for VA_BITS with 64 KiB pages */
  private readonly walkBits: number;
  private readonly page: bigint;
  private readonly pages = new PageCache<bigint>(4096);

  constructor(
    private readonly dump: Dump,
    readonly config: Arm64Config,
  ) {
    this.pageSize = 1 << config.pageShift;
    this.page = BigInt(this.pageSize);
    const { pageOffset, pageEnd } = linearRange(config);
    this.pageOffset = pageOffset;
    this.pageEnd = pageEnd;
    // 64 KiB pages: 52-bit kernels run on 48-bit hardware by offsetting TTBR1 into a top table
    // sized for 52 bits (TTBR1_BADDR_4852_OFFSET), so index as for VA_BITS; 4/16 KiB LPA2
    // kernels fold a level instead, so walk as many levels as the hardware did
    this.walkBits = config.pageShift === 16 ? config.vaBits : config.vaBitsActual;
    this.levels = tableLevels(this.walkBits, config.pageShift);
  }

  /** `va` without a KASAN/MTE tag in its top byte (`__tag_reset`) */
  private untag(va: bigint): bigint {
    return (va >> 55n) & 1n ? va | (0xffn << 56n) : va;
  }

  inLinearMap(va: bigint): boolean {
    const v = this.untag(va);
    return v >= this.pageOffset && v < this.pageEnd;
  }

  /** `va = directMapBase + pa` in the linear map (the p_vaddr − p_paddr of a kdump vmcore) */
  get directMapBase(): bigint {
    return BigInt.asUintN(64, this.pageOffset - this.config.physOffset);
  }

  inKernelImage(va: bigint): boolean {
    const start = this.config.imageStart;
    const v = this.untag(va);
    return start !== undefined && v >= start && v < start + MAX_IMAGE_SIZE;
  }

  async translate(va: bigint): Promise<bigint> {
    const v = this.untag(va);
    const pageVa = v & ~(this.page - 1n);
    if (this.inLinearMap(v)) {
      if (this.config.walkAll === true && this.config.swapperPgDir !== undefined) {
        // touch the tables a peer would walk, so a recorder of the pages read keeps them
        await this.walk(pageVa).catch(() => undefined);
      }
      return BigInt.asUintN(64, v - this.pageOffset + this.config.physOffset);
    }
    let pa = this.pages.get(pageVa);
    if (pa === undefined) {
      try {
        pa = await this.walk(pageVa);
      } catch (error) {
        // the image's tables may be filtered out or cut from a small dump: its formula still holds
        const voffset = this.config.kimageVoffset;
        if (voffset === undefined || !this.inKernelImage(v)) throw error;
        if (!isCrashlensError(error) || error.details.absent !== true) throw error;
        pa = BigInt.asUintN(64, pageVa - voffset);
      }
      this.pages.set(pageVa, pa);
    }
    return pa + (v - pageVa);
  }

  contiguousSpan(va: bigint): bigint {
    const v = this.untag(va);
    if (this.config.walkAll !== true && this.inLinearMap(v)) return this.pageEnd - v;
    return this.page - (v & (this.page - 1n));
  }

  /** the physical address of the table a kernel-image VA points at */
  private imageToPhys(va: bigint): bigint {
    const voffset = this.config.kimageVoffset;
    // before v4.6 the image lived in the linear map
    if (voffset === undefined || this.inLinearMap(va))
      return BigInt.asUintN(64, va - this.pageOffset + this.config.physOffset);
    return BigInt.asUintN(64, va - voffset);
  }

  /** descriptor → output address (bits [47:pageShift], plus PA[51:48] or PA[51:50] for 52-bit PAs) */
  private outputAddress(entry: bigint): bigint {
    const shift = BigInt(this.config.pageShift);
    if (this.config.physBits < 52) return entry & ((1n << 48n) - 1n) & ~((1n << shift) - 1n);
    if (this.config.pageShift === 16) {
      // FEAT_LPA: PA[51:48] in bits [15:12]
      return (entry & 0x0000ffffffff0000n) | (((entry >> 12n) & 0xfn) << 48n);
    }
    // FEAT_LPA2: OA[49:shift] in place, PA[51:50] in bits [9:8]
    return (entry & ((1n << 50n) - 1n) & ~((1n << shift) - 1n)) | (((entry >> 8n) & 3n) << 50n);
  }

  async walk(va: bigint): Promise<bigint> {
    const root = this.config.swapperPgDir;
    if (root === undefined)
      throw fault(va, "needs a page-table walk, but VMCOREINFO has no SYMBOL(swapper_pg_dir)");
    const bits = this.walkBits;
    const actual = this.config.vaBitsActual;
    if (va >> BigInt(actual) !== (1n << BigInt(64 - actual)) - 1n)
      throw fault(va, `is not a kernel address (the top ${64 - actual} bits are not all ones)`);
    const stride = this.config.pageShift - 3;
    let table = this.imageToPhys(root);
    for (let level = this.levels - 1; level >= 0; level--) {
      const shift = BigInt(this.config.pageShift + stride * level);
      const width = level === this.levels - 1 ? BigInt(bits) - shift : BigInt(stride);
      const index = (va >> shift) & ((1n << width) - 1n);
      let entry: bigint;
      try {
        const bytes = await this.dump.readPhysical(table + index * 8n, 8);
        entry = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
      } catch (error) {
        throw tableAbsent(va, table, error);
      }
      if ((entry & 1n) === 0n) throw fault(va, "is not mapped");
      const address = this.outputAddress(entry);
      if (level === 0) {
        if ((entry & 2n) === 0n) throw fault(va, "has a reserved last-level descriptor");
        return address + (va & (this.page - 1n));
      }
      if ((entry & 2n) === 0n) {
        // a block descriptor: 1 GiB/2 MiB with 4 KiB pages, 32 MiB with 16 KiB, 512 MiB with 64 KiB
        const size = 1n << shift;
        return (address & ~(size - 1n)) + (va & (size - 1n));
      }
      table = address;
    }
    throw fault(va, "has no last-level entry"); // not reached: level 0 returns
  }
}
