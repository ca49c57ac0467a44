/**
 * @module dump/split
 * `makedumpfile --split` writes one kdump-compressed file per pfn range; opened together
 * they are one dump. Each read goes to the part whose `start_pfn..end_pfn` holds the page.
 */
import { CrashlensError } from "../errors.js";
import type { KdumpCompressedDump } from "./kdump-compressed.js";
import { splitFact } from "./kdump-facts.js";
import { hex, pageFault } from "./paged-memory.js";
import type { Dump, DumpHints, Fact, PhysicalRange } from "./types.js";

export class SplitDump implements Dump {
  readonly format = "kdump-compressed" as const;
  readonly flavour = "split";
  readonly description: string;
  readonly path: string;
  readonly pageSize: number;
  readonly directMapBase = undefined;
  readonly warnings: string[];
  onPageRead?: ((pfn: bigint) => void) | undefined;

  constructor(private readonly parts: readonly KdumpCompressedDump[]) {
    const first = parts[0];
    if (first === undefined) throw new CrashlensError("usage", "no split parts given");
    this.pageSize = first.pageSize;
    this.path = parts.map((p) => p.path).join(" + ");
    this.warnings = parts.flatMap((p) => p.warnings);
    const sorted = [...parts].sort((a, b) => (a.startPfn < b.startPfn ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1] as KdumpCompressedDump;
      const part = sorted[i] as KdumpCompressedDump;
      if (part.startPfn > prev.endPfn)
        this.warnings.push(
          `split dump: pfns ${hex(prev.endPfn)}-${hex(part.startPfn)} are in no part given`,
        );
      if (part.startPfn < prev.endPfn)
        this.warnings.push(`split dump: ${prev.path} and ${part.path} overlap`);
      if (part.pageSize !== this.pageSize)
        throw new CrashlensError(
          "bad-data",
          `${part.path}: block size differs from the other split parts`,
        );
    }
    this.parts = sorted;
    this.description = `${parts.length} split parts of ${first.description.replace(/, split part \([^)]*\)/, "")}`;
  }

  private partFor(pfn: bigint): KdumpCompressedDump | undefined {
    return this.parts.find((p) => pfn >= p.startPfn && pfn < p.endPfn);
  }

  get notes() {
    return this.parts.find((p) => p.notes.length > 0)?.notes ?? [];
  }

  get vmcoreinfo() {
    return this.parts.find((p) => p.vmcoreinfo !== undefined)?.vmcoreinfo;
  }

  async readPhysical(paddr: bigint, length: number): Promise<Uint8Array> {
    const size = BigInt(this.pageSize);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const address = paddr + BigInt(done);
      const pfn = address / size;
      const part = this.partFor(pfn);
      if (part === undefined) throw pageFault(this.path, pfn * size, "is in no split part given");
      const take = Math.min(length - done, Number((pfn + 1n) * size - address));
      out.set(await part.readPhysical(address, take), done);
      this.onPageRead?.(pfn);
      done += take;
    }
    return out;
  }

  async hasPage(paddr: bigint): Promise<boolean> {
    return (await this.partFor(paddr / BigInt(this.pageSize))?.hasPage(paddr)) ?? false;
  }

  async *storedPages(): AsyncIterable<bigint> {
    for (const part of this.parts) yield* part.storedPages();
  }

  ranges(): readonly PhysicalRange[] {
    return this.parts.flatMap((p) => p.ranges());
  }

  async countPages(): Promise<void> {
    for (const part of this.parts) await part.countPages();
  }

  hints(): DumpHints {
    // every part carries the same headers
    return (this.parts[0] as KdumpCompressedDump).hints();
  }

  facts(): Fact[] {
    // the first part's headers, with the split row naming every part
    const first = this.parts[0]?.facts() ?? [];
    return [...first.filter((f) => f.key !== "split"), splitFact(this.parts, true)];
  }

  async close(): Promise<void> {
    for (const part of this.parts) await part.close();
  }
}
