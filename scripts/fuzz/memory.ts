/**
 * A kernel's virtual memory as a set of 4 KiB pages, for the printk and kallsyms targets:
 * captured from a real dump (the pages its log reader touched) or built in code, flattened to
 * one image so byte mutations apply, and served back as a `LogSource`.
 */
import { CrashlensError } from "../../src/errors.js";
import type { LogSource } from "../../src/kernel/printk/types.js";
import type { VmcoreInfo } from "../../src/kernel/vmcoreinfo.js";
import type { FieldSlot } from "./mutate-bytes.js";

const PAGE = 4096n;

export class PageMemory {
  /** page addresses, ascending; page i is image[i * 4096 ..] */
  readonly pages: bigint[];
  constructor(
    pages: readonly bigint[],
    readonly image: Uint8Array,
  ) {
    this.pages = [...pages];
  }

  /** index in `image` of a virtual address, or -1 when no page holds it */
  indexOf(va: bigint): number {
    const page = va & ~(PAGE - 1n);
    let lo = 0;
    let hi = this.pages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.pages[mid] as bigint) < page) lo = mid + 1;
      else hi = mid;
    }
    if (this.pages[lo] !== page) return -1;
    return lo * 4096 + Number(va & (PAGE - 1n));
  }

  /** the slot of an 8-byte field at `va`, when the memory holds it */
  slot(va: bigint, width: 4 | 8 = 8): FieldSlot[] {
    const at = this.indexOf(va);
    return at < 0 ? [] : [{ at, width }];
  }

  withImage(image: Uint8Array): PageMemory {
    return new PageMemory(this.pages, image);
  }

  /** as the kernel view's readVirtual: a length it cannot allocate is the caller's bug */
  async read(address: bigint, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const va = address + BigInt(done);
      const at = this.indexOf(va);
      if (at < 0)
        throw new CrashlensError("fault", "not in memory", { address: va, space: "virtual" });
      const take = Math.min(length - done, 4096 - (at % 4096));
      out.set(this.image.subarray(at, at + take), done);
      done += take;
    }
    return out;
  }

  /** a LogSource as kernel/index.ts builds one: strict reads, and lenient ones with holes */
  logSource(info: VmcoreInfo): LogSource {
    const warnings: string[] = [];
    return {
      info,
      warnings,
      read: (address, length) => this.read(address, length),
      // as kernel/index.ts does it, unguarded: a bad length must be caught by the reader
      readLenient: async (address, length) => {
        const bytes = new Uint8Array(length);
        const holes: [number, number][] = [];
        let done = 0;
        while (done < length) {
          const va = address + BigInt(done);
          const take = Math.min(length - done, Number(PAGE - (va % PAGE)));
          const at = this.indexOf(va);
          if (at < 0) holes.push([done, done + take]);
          else bytes.set(this.image.subarray(at, at + take), done);
          done += take;
        }
        return { bytes, holes };
      },
    };
  }

  /** Builds memory from (address, bytes) pieces; pieces may share pages. */
  static fromPieces(pieces: readonly { address: bigint; bytes: Uint8Array }[]): PageMemory {
    const pages = new Set<bigint>();
    for (const p of pieces) {
      const end = p.address + BigInt(p.bytes.length);
      for (let page = p.address & ~(PAGE - 1n); page < end; page += PAGE) pages.add(page);
    }
    const sorted = [...pages].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const memory = new PageMemory(sorted, new Uint8Array(sorted.length * 4096));
    for (const p of pieces) {
      for (let i = 0; i < p.bytes.length; i++) {
        memory.image[memory.indexOf(p.address + BigInt(i))] = p.bytes[i] as number;
      }
    }
    return memory;
  }
}
