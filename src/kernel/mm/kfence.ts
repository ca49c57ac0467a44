/**
 * @module kernel/mm/kfence
 * KFENCE objects (CONFIG_KFENCE, mm/kfence/core.c): sampled allocations served from
 * `__kfence_pool`, one object per data page with a guard page between, each described by a
 * `struct kfence_metadata` (its address, size, cache and state). Their pages look like slab
 * pages of one object with no free list, so SLUB's lists say nothing about them: the state is
 * the metadata's.
 */
import type { Kernel } from "../kernel.js";

/** a pool of more than 64k objects would be a damaged pointer, not a configuration */
const maxObjects = 65536;

export interface KfenceObject {
  /** the metadata entry */
  metadata: bigint;
  /** where the object starts (kfence_metadata.addr) and its size */
  start: bigint;
  size: number;
  cache: bigint;
  /** enum kfence_object_state's name, lower case without the prefix: allocated, freed, … */
  state: string;
}

/**
 * The KFENCE object at `address`, or undefined when the kernel has no KFENCE or the address is
 * outside its pool.
 */
export async function findKfenceObject(
  kernel: Kernel,
  address: bigint,
): Promise<KfenceObject | undefined> {
  const symbols = await kernel.symbols();
  const poolVariable = symbols.lookup("__kfence_pool")?.address;
  const metadataSymbol = symbols.lookup("kfence_metadata")?.address;
  if (poolVariable === undefined || metadataSymbol === undefined) return undefined;
  const btf = await kernel.btf();
  const size = btf.find("struct kfence_metadata")?.size;
  const at = (field: string) => btf.offsetof("kfence_metadata", field);
  const [addrOff, sizeOff, cacheOff, stateOff] = ["addr", "size", "cache", "state"].map(at);
  if (size === undefined || addrOff === undefined || stateOff === undefined) return undefined;
  const pageSize = BigInt(kernel.view.vmcoreinfo.pageSize ?? 4096);
  const pool = await kernel.memory.u64(poolVariable).catch(() => 0n);
  if (pool === 0n || address < pool) return undefined;
  // page pair n+1 (after the leading guard pages) holds object n (kfence_guarded_alloc())
  const index = (address - pool) / (2n * pageSize) - 1n;
  if (index < 0n || index >= BigInt(maxObjects)) return undefined;
  // Linux kernel commit cabdf74e6b31 ("mm: kfence: allocate kfence_metadata at runtime")
  // (in v6.6) turned the static array into a pointer, set up by kfence_metadata_init
  const array =
    symbols.lookup("kfence_metadata_init") !== undefined
      ? await kernel.memory.u64(metadataSymbol)
      : metadataSymbol;
  const metadata = array + index * BigInt(size);
  const start = await kernel.memory.u64(metadata + BigInt(addrOff));
  // the entry must describe this page pair, else the address is past the pool
  const slot = pool + (index + 1n) * 2n * pageSize;
  if (start < slot || start >= slot + pageSize) return undefined;
  const stateValue = await kernel.memory.u32(metadata + BigInt(stateOff));
  const names = btf.find("enum kfence_object_state")?.enumValues ?? [];
  const name = names.find((v) => v.value === BigInt(stateValue))?.name ?? `state ${stateValue}`;
  return {
    metadata,
    start,
    size: sizeOff === undefined ? 0 : Number(await kernel.memory.u64(metadata + BigInt(sizeOff))),
    cache: cacheOff === undefined ? 0n : await kernel.memory.u64(metadata + BigInt(cacheOff)),
    state: name.replace(/^KFENCE_OBJECT_/, "").toLowerCase(),
  };
}
