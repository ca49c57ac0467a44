/**
 * The modules read from each lab dump against the `mod` table crash 8.0.6 printed with full
 * debuginfo (MODULE address, NAME, BASE, SIZE); every `bt` frame crash printed must symbolize
 * to the same function (and module) through vmlinux kallsyms plus the modules' own kallsyms;
 * each module's ORC ip table must fall in its text; in-tree modules' split BTF must parse.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import { labDumps } from "../../../test/writers/lab.js";
import { Kernel } from "../kernel.js";
import { kernelSymbolizer } from "./module-symbols.js";
import { orcModuleTables, readModuleBtf, readModules } from "./modules.js";

const runs = ["hung", "nullread", "bugon", "softlockup"];

const MOD_ROW =
  /^([0-9a-f]{16}) {2}(\S+) +([0-9a-f]{16}) +(\d+) {2}\(not loaded\) {2}\[CONFIG_KALLSYMS\]$/;
const BT_FRAME = /^ *#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]{16})(?: \[(\S+)\])?$/;

function crashOutput(run: string): string {
  return readFileSync(shared("lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"), "latin1");
}

describe("modules: equal to crash 8.0.6's mod on the lab dumps", () => {
  for (const run of runs)
    it(`${run}: MODULE, NAME, BASE and SIZE of every module; bt frames symbolize alike`, async (t) => {
      const kernel = await Kernel.open(join(labDumps(), `${run}.kdump-zlib`));
      try {
        const text = crashOutput(run);
        const lines = text.split("\n");
        const header = lines.findIndex((l) => l.startsWith("     MODULE       NAME"));
        const crash = [];
        for (const line of lines.slice(header + 1)) {
          const m = MOD_ROW.exec(line);
          if (!m) break;
          crash.push({ address: m[1], name: m[2], base: m[3], size: Number(m[4]) });
        }
        assert.ok(crash.length >= 4, `crash listed ${crash.length} modules`);
        const started = performance.now();
        const list = await readModules(kernel);
        const elapsed = performance.now() - started;
        assert.deepEqual(list.warnings, []);
        const ours = list.modules.map((m) => ({
          address: m.address.toString(16),
          name: m.name,
          base: m.base.toString(16),
          size: m.size,
        }));
        assert.deepEqual(ours, crash);

        const symbolizer = await kernelSymbolizer(kernel);
        let frames = 0;
        let moduleFrames = 0;
        const wrong: string[] = [];
        for (const line of lines) {
          const m = BT_FRAME.exec(line);
          if (!m) continue;
          frames++;
          const hit = symbolizer.symbolize(BigInt(`0x${m[2]}`));
          if (m[3] !== undefined) moduleFrames++;
          if (hit?.name !== m[1] || hit?.module !== m[3])
            wrong.push(
              `${m[2]}: crash ${m[1]} [${m[3] ?? ""}], ours ${hit?.name} [${hit?.module ?? ""}]`,
            );
        }
        t.diagnostic(
          `${run}: ${crash.length} modules compared, ${crash.length} equal (${elapsed.toFixed(1)} ms); ${frames} bt frames (${moduleFrames} in modules), ${frames - wrong.length} symbolized alike`,
        );
        assert.ok(frames > 10 && moduleFrames > 0, `${frames} frames, ${moduleFrames} in modules`);
        assert.deepEqual(wrong, []);
      } finally {
        await kernel.close();
      }
    });

  it("hung: ORC tables lie in each module's text; in-tree modules carry split BTF", async () => {
    const kernel = await Kernel.open(join(labDumps(), "hung.kdump-zlib"));
    try {
      const list = await readModules(kernel);
      const tables = orcModuleTables(list);
      assert.equal(tables.length, 4);
      for (const table of tables) {
        const bytes = await kernel.memory.read(table.ipTable, table.count * 4);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        // sorted by ip (unwind_module_init sorts them); the core text's entries first, then
        // those of the module's .init.text, which was freed after init
        let previous = 0n;
        let inText = 0;
        for (let i = 0; i < table.count; i++) {
          const ip = table.ipTable + BigInt(i * 4 + view.getInt32(i * 4, true));
          assert.ok(ip >= previous, `${table.name}[${i}] = ${ip.toString(16)} is out of order`);
          previous = ip;
          if (ip >= table.textStart && ip <= table.textEnd) inText++;
        }
        assert.ok(inText > 0, `${table.name}: no ORC entry in its text`);
        const first = table.ipTable + BigInt(view.getInt32(0, true));
        assert.equal(first, table.textStart, `${table.name}: the first entry is its text's start`);
      }
      const fwCfg = list.modules.find((m) => m.name === "qemu_fw_cfg");
      assert.ok(fwCfg !== undefined);
      const btf = await readModuleBtf(kernel, fwCfg);
      const base = await kernel.btf();
      assert.ok(btf !== undefined && btf.firstId === base.count && btf.count > btf.firstId);
      const entry = btf.find("struct fw_cfg_sysfs_entry");
      assert.ok(entry !== undefined && entry.id >= btf.firstId && (entry.size ?? 0) > 0);
      const buggy = list.modules.find((m) => m.name === "buggy");
      assert.equal(
        await readModuleBtf(kernel, buggy as never),
        undefined,
        "out-of-tree buggy has no BTF",
      );
    } finally {
      await kernel.close();
    }
  });
});
