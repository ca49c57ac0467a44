/**
 * kallsyms decoded from the lab dump's memory, and from the minimal dump extracted from it,
 * must match the kernel's System.map (shipped in the lab, link-time addresses) shifted by
 * KERNELOFFSET.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { assertNullreadSymbols } from "../../test/nullread-symbols.js";
import { testdata } from "../../test/shared.js";
import { labDumps } from "../../test/writers/lab.js";
import { openDump } from "../dump/index.js";
import { openKernel } from "./index.js";

const lab = labDumps();

const dumps = [join(lab, "nullread.kdump-zlib"), testdata("dumps", "nullread-info.kdump-zlib")];

describe("kallsyms from memory", () => {
  for (const path of dumps)
    it(`${path}: 87,347 symbols that match System.map shifted by KERNELOFFSET`, async () => {
      const dump = await openDump(path);
      const kernel = await openKernel(dump);
      const symbols = await kernel.loadSymbols();
      assert.ok(symbols !== undefined);
      assert.equal(symbols.count, 87347);
      assert.equal(symbols.encoding, "absolute-percpu");
      const offset = kernel.vmcoreinfo.kernelOffset as bigint;
      const ours = new Set<string>();
      for (const s of symbols.symbols()) ours.add(`${s.address.toString(16)} ${s.type} ${s.name}`);
      const map = gunzipSync(
        await readFile(join(lab, "../info/System.map-6.1.0-56-cloud-amd64.gz")),
      ).toString("latin1");
      let checked = 0;
      let found = 0;
      for (const line of map.split("\n")) {
        const [addr, type, name] = line.split(" ");
        if (!addr || !type || !name || !/^[tTdDbBrR]$/.test(type) || !addr.startsWith("ffffffff8"))
          continue;
        checked++;
        if (ours.has(`${(BigInt(`0x${addr}`) + offset).toString(16)} ${type} ${name}`)) found++;
      }
      assert.ok(checked > 80000, `checked ${checked}`);
      assert.ok(found / checked > 0.99, `${found} of ${checked} System.map symbols found`);
      await assertNullreadSymbols(kernel);
      await dump.close();
    });
});

describe("readVmcoreLog (the one call analyze makes)", () => {
  it("gives text, panic CPU and functions for a lab dump", async () => {
    const { readVmcoreLog } = await import("./index.js");
    const result = await readVmcoreLog(join(lab, "oom.qemu-kdump-flat"), {
      style: "vmcore-dmesg",
    });
    try {
      assert.equal(
        result.text,
        await readFile(join(lab, "oom.qemu-kdump-flat.dmesg.txt"), "latin1"),
      );
      assert.equal(result.panicCpu, 0);
      assert.deepEqual(result.warnings, []);
      assert.equal(
        result.kernel.symbolize?.(result.kernel.cpus[1]?.registers.rip as bigint)?.name,
        "stop_this_cpu",
      );
    } finally {
      await result.close();
    }
  });
});
