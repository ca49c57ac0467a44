/**
 * `crashlens info` as a user runs it (the command line, in process), on the committed info
 * extract of the lab's nullread dump: every `--json` key, its type, and the text lines made
 * from the same facts. Expected values are cross-checked with the fixture's VMCOREINFO text
 * (`nullread.vmcoreinfo.txt`) and the log makedumpfile printed (`nullread.dmesg.txt`).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";
import { conformanceImage } from "../../dump/reader.case.js";
import { writeFlattened } from "../../dump/writers/flattened-writer.js";

const run = (...args: string[]) => cli(args, { encoding: "latin1" });
const json = async (...args: string[]) => {
  const r = await cli(["info", "--json", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const dir = mkdtempSync(join(tmpdir(), "crashlens-info-"));
after(() => rmSync(dir, { recursive: true, force: true }));
// `crashlens extract --for info` of ../shared/lab/dumps/nullread.kdump-zlib (kallsyms included)
const fixture = "testdata/dumps/nullread-info.kdump-zlib";
const vmcoreinfo = readFileSync("testdata/dumps/nullread.vmcoreinfo.txt", "latin1");
const entry = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(vmcoreinfo)?.[1];

const cpus = [
  {
    cpu: 0,
    pid: 1,
    rip: "0xffffffffa183d023",
    rsp: "0xffffd34200003fc0",
    function: "stop_this_cpu+0x63/0xa0",
    source: "prstatus+qemu",
  },
  // the module's function: kallsyms holds only the kernel's own symbols
  { cpu: 1, pid: 2, rip: "0xffffffffc05a0230", rsp: "0xffffd342003a3b28", source: "prstatus+qemu" },
];

describe("crashlens info --json", () => {
  it("gives every fact under its camelCase key, typed (kdump-compressed)", async () => {
    const got = await json(fixture);
    const dmesg = readFileSync("testdata/dumps/nullread.dmesg.txt", "latin1").trimEnd();
    assert.deepEqual(got, {
      file: fixture,
      format: "kdump-compressed (makedumpfile)",
      description: "makedumpfile kdump-compressed v6, zlib, dump level 31",
      release: entry("OSRELEASE"),
      version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)",
      machine: "x86_64",
      hostname: "(none)",
      // no crashTime: neither VMCOREINFO (no CRASHTIME) nor the header (no timestamp) has one
      pageSize: Number(entry("PAGESIZE")),
      buildId: entry("BUILD-ID"),
      kaslrOffset: `0x${entry("KERNELOFFSET")}`,
      physBase: `0x${BigInt.asUintN(64, BigInt(entry("NUMBER\\(phys_base\\)") ?? "")).toString(16)}`,
      pageOffsetBase: "0xffff8b9d00000000",
      fiveLevelPaging: entry("NUMBER\\(pgtable_l5_enabled\\)") === "1",
      vmcoreinfo: { source: "note", symbols: 17, offsets: 49, sizes: 16, numbers: 16 },
      log: "lockless",
      logRecords: 417,
      uptime: Number(/^\[ *([\d.]+)\]/.exec(dmesg.split("\n").at(-1) ?? "")?.[1]),
      panicCpu: 1,
      kallsyms: { symbols: 87347, encoding: "absolute-percpu" },
      cpus,
      header: {
        version: 6,
        utsname: "Linux (none) 6.1.0-56-cloud-amd64 x86_64",
        status: { value: "0x1", compression: "zlib", incomplete: false, excludedVmemmap: false },
        blockSize: 4096,
        maxMapnr: 0x7204,
        bitmapBlocks: 2,
        pages: { dumped: 523, ram: 523 },
        nrCpus: 2,
        currentCpu: 0,
        dumpLevel: 31,
        physBase: "0xffffffffe3200000",
      },
      warnings: [],
    });
  });

  it("names the ELF headers' facts (the fixture extracted as ELF)", async () => {
    const elf = join(dir, "info.elf");
    assert.equal((await run("extract", "--for", "info", "--format", "elf", fixture, elf)).code, 0);
    const got = await json(elf);
    assert.equal(got.format, "elf (qemu)");
    // whole pages, every one of them in the file (the extract writes no excluded pages)
    const bytes = got.header.fileBytes;
    assert.ok(bytes % 4096 === 0 && bytes >= 523 * 4096 && bytes < statSync(elf).size);
    assert.deepEqual(got.cpus, cpus);
    assert.deepEqual(got.header, {
      machine: "x86_64",
      programHeaders: 17,
      phoff: 64,
      loadSegments: 16,
      physicalMemoryBytes: bytes,
      fileBytes: bytes,
      directMapBase: "0xffff8b9d00000000",
      incomplete: false,
      notes: [
        { name: "CORE", type: 1 },
        { name: "CORE", type: 1 },
        { name: "QEMU", type: 0 },
        { name: "QEMU", type: 0 },
        { name: "VMCOREINFO", type: 0 },
      ],
    });
  });

  it("counts a flattened stream's records before the inner headers", async () => {
    const flat = join(dir, "info.flat");
    writeFileSync(flat, writeFlattened(readFileSync(fixture), { recordSize: 65536 }));
    const got = await json(flat);
    assert.equal(got.format, "flattened (kdump-compressed)");
    assert.equal(got.header.flattenedRecords, Math.ceil(readFileSync(fixture).length / 65536));
    assert.equal(got.header.version, 6);
    assert.deepEqual(got.cpus, cpus);
  });

  it("says where VMCOREINFO came from when the dump has no note", async () => {
    const got = await json("testdata/dumps/nullread-novmcoreinfo.kdump-zlib");
    assert.equal(got.vmcoreinfo.source, "memory");
    assert.equal(got.kallsyms, undefined); // a dmesg extract: no kallsyms pages
    assert.deepEqual(got.cpus[1], { ...cpus[1] });
  });

  it("lists each split part's pfn range, and the crash time VMCOREINFO records", async () => {
    const image = conformanceImage(); // synthetic: no lab dump was split
    image.vmcoreinfo = `${image.vmcoreinfo ?? ""}CRASHTIME=1700000000\n`;
    const parts: string[] = [];
    for (const [i, [start, end]] of [
      [0n, 30n],
      [30n, 64n],
    ].entries()) {
      parts.push(join(dir, `part${i}`));
      writeFileSync(
        parts[i] as string,
        await image.toKdump("zlib", { split: { start: start as bigint, end: end as bigint } }),
      );
    }
    const got = await json(...parts);
    assert.equal(got.file, parts.join(" + "));
    assert.equal(got.crashTime, "2023-11-14T22:13:20.000Z");
    assert.deepEqual(got.header.split, [
      { file: parts[0], startPfn: 0, endPfn: 30 },
      { file: parts[1], startPfn: 30, endPfn: 64 },
    ]);
  });
});

describe("crashlens info (text)", () => {
  it("prints the same facts under their labels, then one line per CPU", async () => {
    const r = await run("info", fixture);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    for (const line of [
      "format:                          kdump-compressed (makedumpfile)",
      "kernel offset (KASLR):           0x20800000",
      "vmcoreinfo:                      17 symbols, 49 offsets, 16 sizes, 16 numbers",
      "printk buffer:                   lockless",
      "uptime at last record:           2.552031 s",
      "panic cpu:                       1",
      "kallsyms:                        87347 symbols (absolute-percpu)",
      "cpus:                            2",
      "header: status:                  0x1 (zlib)",
      "header: max_mapnr:               0x7204 (114 MiB)",
      "header: timestamp:               (none)",
      "header: pages:                   523 in the dump of 523 RAM pages (0 filtered out)",
    ])
      assert.ok(lines.includes(line), `missing: ${line}`);
    assert.deepEqual(lines.slice(-2), [
      "CPU 0 (pid 1):                   RIP ffffffffa183d023  RSP ffffd34200003fc0  [prstatus+qemu]  stop_this_cpu+0x63/0xa0",
      "CPU 1 (pid 2):                   RIP ffffffffc05a0230  RSP ffffd342003a3b28  [prstatus+qemu]",
    ]);
    // one text line per known fact: 20 top-level, 12 header lines, 2 CPUs
    assert.equal(lines.length, 20 + 12 + 2);
  });
});
