/**
 * @module test/writers/kernel
 * A pretend x86-64 kernel in a MemoryImage: symbols in the kernel image (pa = va −
 * __START_KERNEL_map + phys_base), page tables built like the kernel's (4 or 5 levels,
 * 2 MiB and 1 GiB pages), and the VMCOREINFO lines that describe them.
 */
import { MemoryImage } from "./memory.js";

export const START_KERNEL_MAP = 0xffffffff80000000n;
const PRESENT_RW = 0x3n;
const HUGE = 0x80n;

export class FakeKernel {
  readonly image = new MemoryImage();
  readonly lines: string[] = ["OSRELEASE=9.9.9-fake", "PAGESIZE=4096"];
  /** next free physical page for page tables */
  private nextTable: bigint;
  readonly root: bigint;

  constructor(
    readonly physBase = 0x200000n,
    readonly levels: 4 | 5 = 4,
  ) {
    this.lines.push(
      `NUMBER(phys_base)=${physBase}`,
      `NUMBER(pgtable_l5_enabled)=${levels === 5 ? 1 : 0}`,
    );
    this.nextTable = 0x800000n;
    this.root = this.allocTable();
    this.symbol("init_top_pgt", this.root - physBase + START_KERNEL_MAP);
  }

  /** kernel-image VA of a physical address */
  va(pa: bigint): bigint {
    return pa - this.physBase + START_KERNEL_MAP;
  }

  pa(va: bigint): bigint {
    return va - START_KERNEL_MAP + this.physBase;
  }

  symbol(name: string, va: bigint): void {
    this.lines.push(`SYMBOL(${name})=${va.toString(16)}`);
  }

  line(text: string): void {
    this.lines.push(text);
  }

  private allocTable(): bigint {
    const pa = this.nextTable;
    this.nextTable += 0x1000n;
    this.image.page(pa / 4096n); // present, zeroed
    return pa;
  }

  private entry(table: bigint, index: bigint): bigint {
    const page = this.image.page(table / 4096n);
    return new DataView(page.buffer).getBigUint64(Number(index) * 8, true);
  }

  /** maps `va` to `pa` with a page of `size` (4 KiB, 2 MiB or 1 GiB) */
  map(va: bigint, pa: bigint, size: bigint): void {
    const leafLevel = size === 1n << 30n ? 3 : size === 1n << 21n ? 2 : 1;
    let table = this.root;
    for (let level = this.levels; level > leafLevel; level--) {
      const index = (va >> (12n + 9n * BigInt(level - 1))) & 511n;
      let e = this.entry(table, index);
      if ((e & 1n) === 0n) {
        const next = this.allocTable();
        e = next | PRESENT_RW;
        this.image.writeU64(table + index * 8n, e);
      }
      table = e & 0x000ffffffffff000n;
    }
    const index = (va >> (12n + 9n * BigInt(leafLevel - 1))) & 511n;
    this.image.writeU64(table + index * 8n, pa | PRESENT_RW | (leafLevel > 1 ? HUGE : 0n));
  }

  finish(): MemoryImage {
    this.image.vmcoreinfo = `${this.lines.join("\n")}\n`;
    return this.image;
  }
}
