/**
 * @module kernel/mm
 * Memory from the dump itself: pages and their `struct page`s, address regions, SLUB caches,
 * slabs and objects (allocated or free, hardened free lists decoded), the memory summary,
 * maple trees, KFENCE objects and IRQ descriptors — what `kmem` and `irq` print.
 */
export { type PerCpuOffsets, readPerCpuOffsets } from "./cpu-offsets.js";
export {
  decodeFreePointer,
  type FreelistWalk,
  type FreePointerEncoding,
  type SlabGeometry,
  swab64,
  walkFreelist,
} from "./freelist.js";
export { type IrqAction, type IrqDescriptor, type IrqTable, readIrqTable } from "./irq.js";
export { findKfenceObject, type KfenceObject } from "./kfence.js";
export { type MapleEntry, type MapleLayout, mapleEntries, readMapleLayout } from "./maple-tree.js";
export { type MemInfo, readMemInfo } from "./meminfo.js";
export {
  type AddressKind,
  type AddressRegion,
  classifyAddress,
  decodePageFlags,
  MemMap,
  type PageInfo,
  type PageLayout,
  readMemMap,
} from "./pages.js";
export {
  readSlab,
  readSlabCache,
  type SlabCache,
  type SlabDescriptor,
  type SlabObjectInfo,
  type SlabState,
  slabAnnotation,
  slabInfo,
  walkSlabFreelist,
} from "./slab.js";
export {
  cacheSlabs,
  type SlabCacheUsage,
  type SlabPlace,
  slabCaches,
  slabCacheUsage,
} from "./slab-caches.js";
export { readSlabLayout, type SlabLayout } from "./slab-layout.js";
export { findVmapArea, readVmapAreas, type VmapArea, type VmapAreas } from "./vmap.js";
export {
  type FreeBlock,
  findFreeBlock,
  findZone,
  readZones,
  type Zone,
  type Zones,
} from "./zones.js";
