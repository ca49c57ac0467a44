/**
 * kallsyms decoded from a minimal dump (testdata/dumps/nullread-info.kdump-zlib, extracted
 * from the lab's nullread vmcore with the pages `info` reads). The comparison with the
 * kernel's System.map runs in kallsyms.conformance.test.ts, on the lab dump and this one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { openDump } from "../dump/index.js";
import { openKernel, panicCpu } from "./index.js";

describe("kallsyms from a minimal dump", () => {
  it("decodes every symbol, looks names and addresses up both ways", async () => {
    const dump = await openDump(testdata("dumps", "nullread-info.kdump-zlib"));
    try {
      const kernel = await openKernel(dump);
      const symbols = await kernel.loadSymbols();
      assert.ok(symbols !== undefined);
      assert.equal(symbols.count, 87347);
      assert.equal(symbols.encoding, "absolute-percpu");
      const stext = kernel.vmcoreinfo.symbols.get("_stext") as bigint;
      assert.equal(symbols.lookup("_stext")?.address, stext);
      assert.match(kernel.symbolize?.(stext + 5n)?.name ?? "", /^_s?text$/);
      assert.equal(kernel.symbolize?.(stext + 5n)?.offset, 5);
      assert.equal(
        kernel.symbolize?.(kernel.cpus[0]?.registers.rip as bigint)?.name,
        "stop_this_cpu",
      );
      assert.equal(kernel.panicCpuVariable, 1);
      assert.equal(panicCpu(kernel, (await kernel.readLog()).records), 1);
    } finally {
      await dump.close();
    }
  });
});
