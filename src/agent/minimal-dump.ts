/**
 * @module agent/minimal-dump
 * A full vmcore reduced to what `crashlens extract --for dmesg` keeps (the pages the kernel
 * log reading touched, the notes and VMCOREINFO), so an agent sends a few hundred kB instead
 * of gigabytes of memory. The same steps as the `extract` command, without its terminal output.
 */
import { openDumps } from "../dump/index.js";
import { CrashlensError } from "../errors.js";
import { openKernel } from "../kernel/index.js";

export interface MinimalDump {
  bytes: Uint8Array;
  pages: number;
  /** what opening the dump or its kernel warned about */
  warnings: string[];
}

/** The minimal kdump-compressed dump of `path` (zlib pages); throws when no log can be read. */
export async function extractMinimalDump(path: string): Promise<MinimalDump> {
  const { extractPages, pagesToKeep, recordPages } = await import("../dump/extract.js");
  const dump = await openDumps([path]);
  try {
    const recorder = recordPages(dump);
    const kernel = await openKernel(dump, { recordWalks: true });
    const log = await kernel.readLog();
    recorder.stop();
    if (log.records.length === 0)
      throw new CrashlensError("bad-data", `${path}: no kernel log could be read from the dump`, {
        path,
      });
    const { pfns, pageSize } = pagesToKeep(recorder, dump.pageSize, kernel.vmcoreinfo.pageSize);
    const options: Parameters<typeof extractPages>[2] = {
      format: "kdump",
      compression: "zlib",
      pageSize,
      elfMachine: kernel.arch.elfMachine,
      physBase: kernel.physBase,
    };
    if (kernel.machine !== undefined) options.machine = kernel.machine;
    if (kernel.release !== undefined) options.release = kernel.release;
    const bytes = await extractPages(dump, pfns, options);
    return { bytes, pages: pfns.size, warnings: [...dump.warnings, ...kernel.warnings] };
  } finally {
    await dump.close();
  }
}
