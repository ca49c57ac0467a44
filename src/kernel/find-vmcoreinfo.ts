/**
 * @module kernel/find-vmcoreinfo
 * When a dump carries no VMCOREINFO note (QEMU `dump-guest-memory` without
 * `-device vmcoreinfo`), the kernel's own copy is still in memory: `vmcoreinfo_data`, a page
 * filled at boot that starts with "OSRELEASE=". Scanning the stored pages finds it. The page
 * is the kernel's (4 KiB or more), which may sit anywhere in a bigger dump block (QEMU's
 * arm64 kdump output stores 64 KiB blocks), so every 4 KiB of a block is looked at.
 */
import { cString } from "../dump/structs/struct.js";
import type { Dump } from "../dump/types.js";

const MARKER = new TextEncoder().encode("OSRELEASE=");
/** the smallest kernel page size (x86-64, arm64 4 KiB granule) */
const KERNEL_PAGE = 4096;

export interface FoundVmcoreinfo {
  text: string;
  paddr: bigint;
}

function startsWithMarker(page: Uint8Array, at: number): boolean {
  for (let i = 0; i < MARKER.length; i++) if (page[at + i] !== MARKER[i]) return false;
  return true;
}

export async function findVmcoreinfoInMemory(
  dump: Dump,
  onProgress?: (done: number, total: number) => void,
): Promise<FoundVmcoreinfo | undefined> {
  // the scan reads every page: an extract recording what is read must keep only the hit
  const record = dump.onPageRead;
  dump.onPageRead = undefined;
  try {
    const found = await scan(dump, onProgress);
    if (found && record) {
      dump.onPageRead = record;
      await dump.readPhysical(found.paddr, Math.min(dump.pageSize, KERNEL_PAGE));
    }
    return found;
  } finally {
    dump.onPageRead = record;
  }
}

async function scan(
  dump: Dump,
  onProgress?: (done: number, total: number) => void,
): Promise<FoundVmcoreinfo | undefined> {
  const total = dump.storedPageCount?.() ?? 0;
  let done = 0;
  const size = BigInt(dump.pageSize);
  for await (const pfn of dump.storedPages()) {
    done++;
    if (onProgress && (done & 1023) === 0) onProgress(done, total);
    let page: Uint8Array;
    try {
      page = await dump.readPhysical(pfn * size, dump.pageSize);
    } catch {
      continue; // a damaged page cannot hold what we look for
    }
    for (let at = 0; at + MARKER.length <= page.length; at += KERNEL_PAGE) {
      if (!startsWithMarker(page, at)) continue;
      const text = cString(page.subarray(at));
      // the real thing names the page size and some symbols; a stray copy of one line does not
      if (text.includes("\nPAGESIZE=") && text.includes("\nSYMBOL("))
        return { text, paddr: pfn * size + BigInt(at) };
    }
  }
  return undefined;
}
