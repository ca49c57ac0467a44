/**
 * Every arm64 lab dump (../shared/lab/arm64/dumps: Debian 6.1 arm64 under QEMU, KASLR on,
 * 64 KiB kdump blocks of a 4 KiB-page kernel), read as a user reads it: `dmesg --flush-left`
 * byte-identical to vmcore-dmesg's text beside the dump; `info` agreeing with what crash
 * (built for an arm64 target) printed for the same dump (`runs/<run>/peers/`); `analyze`
 * giving the kind, title and culprit of analyzing the run's serial console; and translation
 * checked against crash's addresses: init_task and every task of crash's `ps` by their comm,
 * each module of crash's `mod` (module space, by a page-table walk) by its name. The peer
 * vmcore-dmesg, which cannot read QEMU's arm64 dumps, reads crashlens' ELF extract of them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";
import { shared } from "../../../test/shared.js";
import { hideVmcoreinfo } from "../../../test/writers/hide-vmcoreinfo.js";
import { openDump } from "../../dump/index.js";
import { formatLog, openKernel } from "../index.js";
import { Arm64Translator } from "./arm64-translator.js";

const lab = shared("lab", "arm64");
const tmp = mkdtempSync(join(tmpdir(), "crashlens-arm64-lab-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dumps = readdirSync(join(lab, "dumps")).filter((f) => /\.(kdump-\w+|elf)$/.test(f));
const runOf = (file: string) => file.split(".")[0] as string;
const crashOutput = (run: string) =>
  readFileSync(join(lab, "runs", run, "peers", "crash-arm64.kdump-zlib.txt"), "latin1");
/** `   RELEASE: 6.1.0-…` lines of crash's `sys` */
const sysField = (text: string, name: string) =>
  new RegExp(`^ *${name}: (.*)$`, "m").exec(text)?.[1]?.trim();

type Essence = { kind: string; title: string; culprit?: { symbol?: string; module?: string } };
const essence = async (path: string): Promise<Essence[]> => {
  const r = await cli(["analyze", "--json", path]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).reports.map((x: Essence) => ({
    kind: x.kind,
    title: x.title,
    culprit: { symbol: x.culprit?.symbol, module: x.culprit?.module },
  }));
};

describe("arm64 lab dumps", () => {
  it("the lab has arm64 dumps", () => assert.ok(dumps.length >= 2, dumps.join(", ")));

  for (const file of dumps) {
    const path = join(lab, "dumps", file);
    const run = runOf(file);

    it(`${file}: dmesg --flush-left is byte-identical to vmcore-dmesg`, async () => {
      const r = await cli(["dmesg", "--flush-left", path], { encoding: "latin1" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(`${path}.dmesg.txt`, "latin1"));
    });

    it(`${file}: vmcore-dmesg reads crashlens' arm64 ELF extract and prints the same log`, async () => {
      const elf = join(tmp, `${run}.elf`);
      const r = await cli(["extract", "--for", "dmesg", "--format", "elf", path, elf]);
      assert.equal(r.code, 0, r.stderr);
      const peer = spawnSync("vmcore-dmesg", [elf], { encoding: "latin1" });
      assert.equal(peer.status, 0, peer.stderr);
      assert.equal(peer.stdout, readFileSync(`${path}.dmesg.txt`, "latin1"));
    });

    it(`${file}: without its VMCOREINFO note, the kernel's copy is found inside a 64 KiB block`, async () => {
      const dump = hideVmcoreinfo(await openDump(path));
      try {
        const kernel = await openKernel(dump);
        assert.equal(kernel.arch.name, "arm64"); // by the 392-byte NT_PRSTATUS notes
        assert.match(
          kernel.warnings.join("\n"),
          /kernel's copy found in memory at physical 0x[0-9a-f]*[1-9a-f]000\b/,
        );
        const log = await kernel.readLog();
        assert.equal(
          formatLog(log.records, "vmcore-dmesg"),
          readFileSync(`${path}.dmesg.txt`, "latin1"),
        );
      } finally {
        await dump.close();
      }
    });

    it(`${file}: info agrees with crash (arm64 build) and with VMCOREINFO`, async () => {
      const r = await cli(["info", "--json", path]);
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout);
      const crash = crashOutput(run);
      assert.equal(got.release, sysField(crash, "RELEASE"));
      assert.equal(got.version, sysField(crash, "VERSION"));
      assert.equal(got.machine, sysField(crash, "MACHINE")?.split(/\s+/)[0]);
      assert.equal(got.hostname, sysField(crash, "NODENAME"));
      assert.equal(got.cpus.length, Number(sysField(crash, "CPUS")?.split(" ")[0]));
      // the panic task's CPU: the first `bt` header after `sys` and `log`
      const panicTask = /^PID: +\d+ +TASK: [0-9a-f]+ +CPU: (\d+)/m.exec(crash);
      assert.equal(got.panicCpu, Number(panicTask?.[1]));
      const info = readFileSync(path, "latin1"); // VMCOREINFO is plain text in the file
      const vmcoreinfo = (key: string) => new RegExp(`\n${key}=([^\n]*)\n`).exec(info)?.[1];
      assert.equal(got.kimageVoffset, vmcoreinfo("NUMBER\\(kimage_voffset\\)"));
      assert.equal(got.physOffset, vmcoreinfo("NUMBER\\(PHYS_OFFSET\\)"));
      assert.equal(got.vaBits, Number(vmcoreinfo("NUMBER\\(VA_BITS\\)")));
      assert.equal(got.kaslrOffset, `0x${vmcoreinfo("KERNELOFFSET")}`);
      assert.ok(got.kallsyms.symbols > 40000, `${got.kallsyms.symbols} text symbols`);
      // each CPU's pc is a kernel address; the CPU that stopped for the panic is in local_cpu_stop
      for (const cpu of got.cpus) assert.match(cpu.pc, /^0xffff[0-9a-f]{12}$/);
      const stopped = got.cpus.find((c: { cpu: number }) => c.cpu !== got.panicCpu);
      assert.match(stopped?.function ?? "", /^local_cpu_stop\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
    });

    it(`${file}: analyze gives the kind, title and culprit of the serial console`, async () => {
      const fromDump = await essence(path);
      const fromConsole = await essence(join(lab, "runs", run, "serial.txt"));
      assert.ok(fromDump.length > 0);
      assert.deepEqual(fromDump, fromConsole);
    });

    it(`${file}: tasks and modules crash lists read back at their addresses`, async () => {
      const dump = await openDump(path);
      try {
        const kernel = await openKernel(dump);
        const crash = crashOutput(run);
        const has = (bytes: Uint8Array, s: string) =>
          Buffer.from(bytes).includes(Buffer.from(`${s}\0`, "latin1"));
        // crash `ps`: PID PPID CPU TASK ST %MEM VSZ RSS COMM; the linear map and (swapper/0,
        // init_task) the kernel image, each task_struct holding its comm
        const tasks = [
          ...crash.matchAll(/^>? +\d+ +\d+ +\d+ +([0-9a-f]{16}) +\w+ .* \[?([^\]\n]+)\]?$/gm),
        ];
        assert.ok(tasks.length > 40, `${tasks.length} tasks in crash's ps`);
        let checked = 0;
        for (const [, task, comm] of tasks) {
          if ((comm as string).length < 6) continue; // short names could match by chance
          const bytes = await kernel.readVirtual(BigInt(`0x${task}`), 8192);
          assert.ok(has(bytes, comm as string), `${comm} in task_struct at ${task}`);
          checked++;
        }
        assert.ok(checked > 20);
        // crash `mod`: MODULE NAME BASE SIZE; struct module (module space) starts with its name
        const modules = [...crash.matchAll(/^([0-9a-f]{16}) +(\w+) +[0-9a-f]{16} +\d+ /gm)];
        assert.ok(modules.length >= 2);
        for (const [, module, name] of modules) {
          const bytes = await kernel.readVirtual(BigInt(`0x${module}`), 128);
          assert.ok(has(bytes, name as string), `${name} in struct module at ${module}`);
        }
      } finally {
        await dump.close();
      }
    });

    it(`${file}: the page-table walk agrees with kimage_voffset over the image`, async () => {
      const dump = await openDump(path);
      try {
        const kernel = await openKernel(dump);
        const translator = new Arm64Translator(dump, {
          vaBits: 48,
          vaBitsActual: 48,
          pageShift: 12,
          physBits: 48,
          physOffset: kernel.physBase,
          flipped: true,
          swapperPgDir: kernel.vmcoreinfo.symbols.get("swapper_pg_dir") as bigint,
          kimageVoffset: kernel.vmcoreinfo.numbers.get("kimage_voffset") as bigint,
        });
        const voffset = kernel.vmcoreinfo.numbers.get("kimage_voffset") as bigint;
        for (const name of ["_stext", "swapper_pg_dir", "prb", "init_uts_ns"]) {
          const va = kernel.vmcoreinfo.symbols.get(name) as bigint;
          assert.equal(await translator.walk(va), va - voffset, name);
        }
        // and the linear map's formula agrees with its tables (mem_section is kmalloc'ed)
        const linear = kernel.vmcoreinfo.symbols.get("mem_section") as bigint;
        assert.equal(await translator.walk(linear), await kernel.translate(linear));
      } finally {
        await dump.close();
      }
    });
  }
});
