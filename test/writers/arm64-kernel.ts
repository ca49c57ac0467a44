/**
 * @module test/writers/arm64-kernel
 * A pretend arm64 kernel in a MemoryImage: the image at `pa + kimage_voffset`, the linear map
 * at `pa − PHYS_OFFSET + PAGE_OFFSET`, `swapper_pg_dir` tables built as the kernel's are for a
 * 4, 16 or 64 KiB granule (page, block and table descriptors; 52-bit output addresses in the
 * 64 KiB LPA layout), and the VMCOREINFO lines `arch_crash_save_vmcoreinfo()` writes.
 */
import { MemoryImage } from "./memory.js";

const VALID = 1n;
const TABLE_OR_PAGE = 2n;
/** the access flag: set on every leaf the kernel creates */
const AF = 1n << 10n;

export interface FakeArm64Options {
  /** 12, 14 or 16 */
  pageShift?: number;
  vaBits?: number;
  /** 64 − TCR_EL1_T1SZ (default vaBits) */
  vaBitsActual?: number;
  /** NUMBER(PHYS_OFFSET) as the kernel prints it (u64; wraps for 52-bit kernels on 48-bit CPUs) */
  physOffset?: bigint;
  /** where RAM starts (default physOffset) */
  ramStart?: bigint;
  physBits?: number;
  /** the image's virtual start (_text) */
  imageVa?: bigint;
  /** false: the layout before v5.4's flip (linear map in the upper half, image below it) */
  flipped?: boolean;
}

export class FakeArm64Kernel {
  readonly image = new MemoryImage();
  readonly lines: string[];
  readonly pageShift: number;
  readonly vaBits: number;
  readonly physOffset: bigint;
  readonly ramStart: bigint;
  readonly physBits: number;
  readonly imageVa: bigint;
  readonly imagePa: bigint;
  readonly kimageVoffset: bigint;
  readonly root: bigint;
  readonly flipped: boolean;
  private nextTable: bigint;

  constructor(options: FakeArm64Options = {}) {
    this.pageShift = options.pageShift ?? 12;
    this.vaBits = options.vaBits ?? 48;
    this.physOffset = options.physOffset ?? 0x40000000n;
    this.ramStart = options.ramStart ?? this.physOffset;
    this.physBits = options.physBits ?? 48;
    this.flipped = options.flipped ?? true;
    this.imageVa = options.imageVa ?? 0xffffaf2d91e00000n;
    this.imagePa = this.ramStart + 0x200000n;
    this.kimageVoffset = BigInt.asUintN(64, this.imageVa - this.imagePa);
    const actual = options.vaBitsActual ?? this.vaBits;
    this.lines = [
      "OSRELEASE=9.9.9-fake-arm64",
      `PAGESIZE=${1 << this.pageShift}`,
      `SYMBOL(_stext)=${(this.imageVa + 0x10000n).toString(16)}`,
      `NUMBER(VA_BITS)=${this.vaBits}`,
      `NUMBER(MAX_PHYSMEM_BITS)=${this.physBits}`,
      `NUMBER(kimage_voffset)=0x${this.kimageVoffset.toString(16)}`,
      `NUMBER(PHYS_OFFSET)=0x${BigInt.asUintN(64, this.physOffset).toString(16)}`,
      `NUMBER(TCR_EL1_T1SZ)=0x${(64 - actual).toString(16)}`,
      "NUMBER(KERNELPACMASK)=0xffff000000000000",
    ];
    this.nextTable = this.ramStart + 0x1000000n;
    this.root = this.allocTable();
    this.symbol("swapper_pg_dir", this.root + this.kimageVoffset);
  }

  get granule(): bigint {
    return 1n << BigInt(this.pageShift);
  }

  get levels(): number {
    return Math.ceil((this.vaBits - this.pageShift) / (this.pageShift - 3));
  }

  /** the linear-map address of `pa` (PAGE_OFFSET = −2^VA_BITS flipped, −2^(VA_BITS−1) before) */
  linear(pa: bigint): bigint {
    const bits = BigInt(this.flipped ? this.vaBits : this.vaBits - 1);
    const pageOffset = (1n << 64n) - (1n << bits);
    return BigInt.asUintN(64, pa - this.physOffset + pageOffset);
  }

  /** a kernel-image address of `pa` */
  kimg(pa: bigint): bigint {
    return BigInt.asUintN(64, pa + this.kimageVoffset);
  }

  symbol(name: string, va: bigint): void {
    this.lines.push(`SYMBOL(${name})=${va.toString(16)}`);
  }

  private allocTable(): bigint {
    const pa = this.nextTable;
    this.nextTable += this.granule;
    this.image.page(pa / 4096n); // present, zeroed (the rest of a big granule reads as holes)
    for (let at = pa; at < pa + this.granule; at += 4096n) this.image.page(at / 4096n);
    return pa;
  }

  /** an output address as a descriptor holds it */
  private encode(pa: bigint): bigint {
    if (this.physBits === 52 && this.pageShift === 16)
      return (pa & 0x0000ffffffff0000n) | (((pa >> 48n) & 0xfn) << 12n);
    return pa;
  }

  private decode(entry: bigint): bigint {
    if (this.physBits === 52 && this.pageShift === 16)
      return (entry & 0x0000ffffffff0000n) | (((entry >> 12n) & 0xfn) << 48n);
    return entry & 0x0000fffffffff000n & ~(this.granule - 1n);
  }

  private readEntry(at: bigint): bigint {
    const page = this.image.page(at / 4096n);
    return new DataView(page.buffer).getBigUint64(Number(at % 4096n), true);
  }

  /** maps `va` to `pa` with a page (size = granule) or a block (a higher level's size) */
  map(va: bigint, pa: bigint, size: bigint): void {
    const stride = this.pageShift - 3;
    let leaf = -1;
    for (let level = 0; level < this.levels; level++)
      if (size === 1n << BigInt(this.pageShift + stride * level)) leaf = level;
    if (leaf < 0) throw new Error(`no level maps ${size} bytes`);
    let table = this.root;
    for (let level = this.levels - 1; level >= 0; level--) {
      const shift = BigInt(this.pageShift + stride * level);
      const width = level === this.levels - 1 ? BigInt(this.vaBits) - shift : BigInt(stride);
      const at = table + ((va >> shift) & ((1n << width) - 1n)) * 8n;
      if (level === leaf) {
        const type = level === 0 ? TABLE_OR_PAGE : 0n;
        this.image.writeU64(at, this.encode(pa) | VALID | type | AF);
        return;
      }
      let entry = this.readEntry(at);
      if ((entry & VALID) === 0n) {
        entry = this.encode(this.allocTable()) | VALID | TABLE_OR_PAGE;
        this.image.writeU64(at, entry);
      }
      table = this.decode(entry);
    }
  }

  finish(): MemoryImage {
    this.image.vmcoreinfo = `${this.lines.join("\n")}\n`;
    return this.image;
  }
}
