/**
 * Test helpers: the pages of a dump file, decoded, and the raw compressed blobs behind them.
 */
import { readFile } from "node:fs/promises";
import { KdumpCompressedDump, openDump } from "../index.js";
import { DUMP_DH_COMPRESSED_LZO } from "../structs/kdump.js";

/** every stored page of a dump, decoded by the dump's own reader */
export async function decodedPages(path: string): Promise<Map<bigint, Uint8Array>> {
  const dump = await openDump(path);
  try {
    const pages = new Map<bigint, Uint8Array>();
    const size = BigInt(dump.pageSize);
    for await (const pfn of dump.storedPages()) {
      pages.set(pfn, await dump.readPhysical(pfn * size, dump.pageSize));
    }
    return pages;
  } finally {
    await dump.close();
  }
}

/** the LZO-compressed page blobs of a kdump-compressed file, by pfn (shared blobs once) */
export async function lzoBlobs(
  path: string,
): Promise<{ pageSize: number; blobs: Map<bigint, Uint8Array> }> {
  const file = await readFile(path);
  const dump = await openDump(path);
  try {
    if (!(dump instanceof KdumpCompressedDump)) throw new Error(`${path} is not kdump-compressed`);
    const blobs = new Map<bigint, Uint8Array>();
    const seen = new Set<number>();
    for await (const pfn of dump.storedPages()) {
      const desc = await dump.describe(pfn);
      if (desc === undefined || (desc.flags & DUMP_DH_COMPRESSED_LZO) === 0) continue;
      if (seen.has(desc.offset)) continue;
      seen.add(desc.offset);
      blobs.set(pfn, file.subarray(desc.offset, desc.offset + desc.size));
    }
    return { pageSize: dump.pageSize, blobs };
  } finally {
    await dump.close();
  }
}
