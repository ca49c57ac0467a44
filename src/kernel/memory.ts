/**
 * @module kernel/memory
 * Typed reads of kernel virtual memory (little-endian, x86-64 and arm64), over any
 * `read(va, length)`. Every kernel facet (BTF, unwinder, tasks, modules, slab) reads through
 * this, so a fault carries the address and a facet never parses bytes by hand twice.
 */
import { viewOf } from "../dump/random-access.js";

export type ReadVirtual = (address: bigint, length: number) => Promise<Uint8Array>;

export class KernelMemory {
  constructor(readonly read: ReadVirtual) {}

  async u8(address: bigint): Promise<number> {
    return (await this.read(address, 1))[0] as number;
  }
  async u16(address: bigint): Promise<number> {
    return viewOf(await this.read(address, 2)).getUint16(0, true);
  }
  async u32(address: bigint): Promise<number> {
    return viewOf(await this.read(address, 4)).getUint32(0, true);
  }
  async s32(address: bigint): Promise<number> {
    return viewOf(await this.read(address, 4)).getInt32(0, true);
  }
  async u64(address: bigint): Promise<bigint> {
    return viewOf(await this.read(address, 8)).getBigUint64(0, true);
  }
  async s64(address: bigint): Promise<bigint> {
    return viewOf(await this.read(address, 8)).getBigInt64(0, true);
  }
  /** an unsigned integer of 1, 2, 4 or 8 bytes */
  async uint(address: bigint, size: number): Promise<bigint> {
    const bytes = await this.read(address, size);
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
    return value;
  }
  /** a NUL-terminated string of at most `max` bytes (latin1, as the kernel stores comm names) */
  async cString(address: bigint, max = 256): Promise<string> {
    const bytes = await this.read(address, max);
    const end = bytes.indexOf(0);
    return Buffer.from(bytes.subarray(0, end < 0 ? max : end)).toString("latin1");
  }
  /** `count` consecutive 64-bit words */
  async words(address: bigint, count: number): Promise<bigint[]> {
    const view = viewOf(await this.read(address, count * 8));
    return Array.from({ length: count }, (_, i) => view.getBigUint64(i * 8, true));
  }
}
