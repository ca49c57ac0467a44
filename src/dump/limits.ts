/**
 * @module dump/limits
 * Named bounds for sizes read from dump files. A size above its bound is bad data, not a
 * reason to allocate: every such size goes through `checkBound(value, limit, field)`.
 */

/** ELF program headers (PN_XNUM allows up to 2^32; real QEMU dumps of huge guests have ~10^5). */
export const maxSegments = 4_000_000;
/** one ELF note's name or descriptor */
export const maxNoteBytes = 16 * 1024 * 1024;
/** the whole notes area of a dump (PT_NOTE segments, kdump `size_note`) */
export const maxNotesAreaBytes = 64 * 1024 * 1024;
/** VMCOREINFO text (one page in the kernel; be generous for 64 KiB-page kernels) */
export const maxVmcoreinfoBytes = 1024 * 1024;
/** page sizes a kernel may use */
export const minPageSize = 1024;
export const maxPageSize = 1024 * 1024;
/** kdump `sub_hdr_size` in blocks */
export const maxSubHeaderBlocks = 1 << 20;
/** kdump `max_mapnr`: 2^40 pfns is 4 PiB of 4 KiB pages */
export const maxPfns = 2n ** 40n;
/** flattened-format records: one data record's size */
export const maxFlatRecordBytes = 1 << 30;
/** flattened-format records held in the index (16 bytes of index each) */
export const maxFlatRecords = 50_000_000;
/** one read through the physical-memory interface */
export const maxReadBytes = 256 * 1024 * 1024;
/** pages held by the page cache of one dump */
export const pageCacheEntries = 1024;
