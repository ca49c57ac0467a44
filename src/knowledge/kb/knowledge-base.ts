/**
 * @module knowledge/kb/knowledge-base
 * The indexes in memory (the CVE index and, when the user made one, a git-history index):
 * which records name a function, how many records name it (rare functions identify a bug,
 * common ones do not), which modules any record touches, and the records themselves,
 * parsed when first compared.
 */
import type { KbFile } from "./kb-file.js";
import type { KbRecord } from "./record.js";

/** A record's place: which file, which line. */
export interface RecordRef {
  file: number;
  index: number;
}

export class KnowledgeBase {
  readonly files: readonly KbFile[];

  constructor(files: readonly KbFile[]) {
    this.files = files;
  }

  /** Records in all files. */
  get size(): number {
    return this.files.reduce((n, f) => n + f.count, 0);
  }

  /** Records that name `symbol` in a quoted frame or their subject. */
  recordsNaming(symbol: string): RecordRef[] {
    const out: RecordRef[] = [];
    this.files.forEach((f, file) => {
      for (const index of f.postings(symbol)) out.push({ file, index });
    });
    return out;
  }

  record(ref: RecordRef): KbRecord {
    return (this.files[ref.file] as KbFile).record(ref.index);
  }

  /** Every record, parsed (for tests and tools; a query never needs this). */
  *allRecords(): Generator<KbRecord> {
    for (const f of this.files) for (let i = 0; i < f.count; i++) yield f.record(i);
  }

  /**
   * How well a function tells bugs apart, 0..1: 1 for one named by at most a few records,
   * falling with the log of how many name it (vfs_write, named by hundreds, is near 0).
   */
  specificity(symbol: string): number {
    let n = 0;
    for (const f of this.files) n += f.postings(symbol).length;
    if (n <= 3) return 1;
    return Math.max(0, 1 - Math.log(n / 3) / Math.log(100));
  }

  /** The module appears in a record's frames, or names a folder or file a fix touched. */
  knowsModule(module: string): boolean {
    const name = module.replace(/-/g, "_");
    return this.files.some((f) => f.hasModule(name));
  }
}
