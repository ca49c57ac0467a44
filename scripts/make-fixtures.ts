/**
 * Regenerates the small committed dumps in testdata/dumps/ from the lab dumps, with
 * `crashlens extract` logic: only the pages `dmesg` reads, plus notes and VMCOREINFO.
 * snappy and zstd have no real dump (Debian's makedumpfile lacks them, QEMU 7.2 offers only
 * zlib), so those fixtures re-compress the real nullread dump's pages.
 * The committed nullread-dmesg.kdump-lzo holds pages compressed by real liblzo (made before
 * crashlens had its own encoder), which src/dump/lzo1x/decode.test.ts relies on; regenerating
 * it writes our encoder's pages, and liblzo is then checked by lzo1x.conformance.test.ts only.
 * The arm64 fixture comes from the arm64 lab (QEMU's 64 KiB kdump blocks of a 4 KiB-page
 * kernel) and keeps only the 4 KiB pages read, as `crashlens extract` does.
 * Usage: [FIXTURES=x86_64|arm64] npx tsx scripts/make-fixtures.ts [LAB_DUMPS_DIR [ARM64_LAB_DUMPS_DIR]]
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { extractPages, pagesToKeep, recordPages } from "../src/dump/extract.js";
import { openDump } from "../src/dump/index.js";
import type { Compression } from "../src/dump/writers/kdump-writer.js";
import { findVmcoreinfoInMemory } from "../src/kernel/find-vmcoreinfo.js";
import { openKernel } from "../src/kernel/index.js";
import { hideVmcoreinfo } from "../test/writers/hide-vmcoreinfo.js";

const lab = process.argv[2] ?? "../shared/lab/dumps";
const arm64Lab = process.argv[3] ?? "../shared/lab/arm64/dumps";
const out = "testdata/dumps";

/** `info`: the pages `crashlens info` reads too (kallsyms, panic_cpu), for symbol tests */
const fixtures: { from: string; name: string; compression: Compression; for?: "info" }[] = [
  { from: "nullread.kdump-zlib", name: "nullread-dmesg.kdump-zlib", compression: "zlib" },
  { from: "nullread.kdump-lzo", name: "nullread-dmesg.kdump-lzo", compression: "lzo" },
  { from: "nullread.kdump-zlib", name: "nullread-dmesg.kdump-snappy", compression: "snappy" },
  { from: "nullread.kdump-zlib", name: "nullread-dmesg.kdump-zstd", compression: "zstd" },
  { from: "oom.qemu-kdump-flat", name: "oom-dmesg.kdump-zlib", compression: "zlib" },
  {
    from: "nullread.kdump-zlib",
    name: "nullread-info.kdump-zlib",
    compression: "zlib",
    for: "info",
  },
];

await mkdir(out, { recursive: true });
// FIXTURES=x86_64 or FIXTURES=arm64 regenerates one architecture's fixtures only
const only = process.env.FIXTURES;
if (only === undefined || only === "x86_64") {
  for (const f of fixtures) {
    const dump = await openDump(join(lab, f.from));
    const recorder = recordPages(dump);
    const kernel = await openKernel(dump, { recordWalks: true });
    await kernel.readLog();
    if (f.for === "info") await kernel.loadSymbols();
    recorder.stop();
    const options: Parameters<typeof extractPages>[2] = {
      format: "kdump",
      compression: f.compression,
      physBase: kernel.physBase,
    };
    if (kernel.release !== undefined) options.release = kernel.release;
    const bytes = await extractPages(dump, recorder.pages, options);
    await writeFile(join(out, f.name), bytes);
    await dump.close();
    console.log(`${f.name}: ${recorder.pages.size} pages, ${bytes.length} bytes`);
  }
  // a dump as QEMU writes it without -device vmcoreinfo: no VMCOREINFO note, but the kernel's
  // own copy (the page starting "OSRELEASE=") among the pages kept
  {
    const dump = hideVmcoreinfo(await openDump(join(lab, "nullread.kdump-zlib")));
    const found = await findVmcoreinfoInMemory(dump);
    if (found === undefined) throw new Error("no VMCOREINFO page in nullread.kdump-zlib");
    // the log's pages, learned from the same dump with its VMCOREINFO
    const withInfo = await openDump(join(lab, "nullread.kdump-zlib"));
    const logPages = recordPages(withInfo);
    await (await openKernel(withInfo, { recordWalks: true })).readLog();
    logPages.stop();
    const pages = new Set([...logPages.pages, found.paddr / BigInt(dump.pageSize)]);
    const bytes = await extractPages(dump, pages, {
      format: "kdump",
      compression: "zlib",
      release: "6.1.0-56-cloud-amd64",
    });
    await writeFile(join(out, "nullread-novmcoreinfo.kdump-zlib"), bytes);
    console.log(`nullread-novmcoreinfo.kdump-zlib: ${pages.size} pages, ${bytes.length} bytes`);
    await withInfo.close();
    await dump.close();
  }
  await copyFile(join(lab, "nullread.kdump-zlib.dmesg.txt"), join(out, "nullread.dmesg.txt"));
  await copyFile(join(lab, "nullread.vmcore-dmesg.txt"), join(out, "nullread.vmcore-dmesg.txt"));
  await copyFile(join(lab, "oom.qemu-kdump-flat.dmesg.txt"), join(out, "oom.vmcore-dmesg.txt"));
}
// arm64: the log's 4 KiB pages out of QEMU's 64 KiB blocks, and vmcore-dmesg's text beside it
if (only === undefined || only === "arm64") {
  const dump = await openDump(join(arm64Lab, "nullread.kdump-zlib"));
  const recorder = recordPages(dump);
  const kernel = await openKernel(dump, { recordWalks: true });
  await kernel.readLog();
  recorder.stop();
  const { pfns, pageSize } = pagesToKeep(recorder, dump.pageSize, kernel.vmcoreinfo.pageSize);
  const options: Parameters<typeof extractPages>[2] = {
    format: "kdump",
    compression: "zlib",
    physBase: kernel.physBase,
    pageSize,
    elfMachine: kernel.arch.elfMachine,
  };
  if (kernel.release !== undefined) options.release = kernel.release;
  if (kernel.machine !== undefined) options.machine = kernel.machine;
  const bytes = await extractPages(dump, pfns, options);
  await writeFile(join(out, "arm64-nullread-dmesg.kdump-zlib"), bytes);
  await dump.close();
  console.log(`arm64-nullread-dmesg.kdump-zlib: ${pfns.size} pages, ${bytes.length} bytes`);
  await copyFile(
    join(arm64Lab, "nullread.kdump-zlib.dmesg.txt"),
    join(out, "arm64-nullread.dmesg.txt"),
  );
}
