/**
 * @module dump/page-cache
 * A small least-recently-used cache of decoded pages, so memory stays flat in dump size.
 */

export class PageCache<V> {
  private readonly entries = new Map<bigint, V>();
  constructor(private readonly capacity: number) {}

  get(key: bigint): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // re-insert to mark as most recently used
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: bigint, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
