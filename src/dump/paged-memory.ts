/**
 * @module dump/paged-memory
 * Physical memory as pages: each reader says how to load one page frame, this class serves
 * byte ranges across pages through a small LRU cache.
 */
import { CrashlensError, checkBound } from "../errors.js";
import { maxReadBytes, pageCacheEntries } from "./limits.js";
import { PageCache } from "./page-cache.js";

export const hex = (n: bigint | number) => `0x${n.toString(16)}`;

export function pageFault(
  artifact: string,
  paddr: bigint,
  why: string,
  extra: { filtered?: boolean } = {},
): CrashlensError {
  return new CrashlensError("fault", `${artifact}: physical page ${hex(paddr)} ${why}`, {
    address: paddr,
    space: "physical",
    absent: true,
    path: artifact,
    ...extra,
  });
}

/** crash's "page excluded": RAM the dump tool filtered out, whose bytes are unknown */
export const FILTERED =
  "was filtered out when the dump was made (page excluded: its contents are unknown)";

export abstract class PagedMemory {
  private readonly cache = new PageCache<Uint8Array>(pageCacheEntries);
  onPageRead?: ((pfn: bigint) => void) | undefined;
  private readonly shift: bigint;

  constructor(readonly pageSize: number) {
    this.shift = BigInt(Math.log2(pageSize));
  }

  /** the page frame's bytes (exactly pageSize), or a `fault` error */
  protected abstract loadPage(pfn: bigint): Promise<Uint8Array>;

  private async page(pfn: bigint): Promise<Uint8Array> {
    let page = this.cache.get(pfn);
    if (page === undefined) {
      page = await this.loadPage(pfn);
      this.cache.set(pfn, page);
    }
    this.onPageRead?.(pfn);
    return page;
  }

  async readPhysical(paddr: bigint, length: number): Promise<Uint8Array> {
    checkBound(length, maxReadBytes, "physical read length");
    if (paddr < 0n) throw pageFault("dump", paddr, "is a negative address");
    const size = BigInt(this.pageSize);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const address = paddr + BigInt(done);
      const pfn = address >> this.shift;
      const within = Number(address - (pfn << this.shift));
      const take = Math.min(length - done, Number(size) - within);
      const page = await this.page(pfn);
      out.set(page.subarray(within, within + take), done);
      done += take;
    }
    return out;
  }
}
