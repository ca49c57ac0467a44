/**
 * @module test/nullread-symbols
 * What the lab's nullread dump (and the minimal dumps extracted from it) say about symbols:
 * kallsyms' count and encoding, look-ups both ways, the CPUs' functions and the panic CPU.
 */
import assert from "node:assert/strict";
import type { KernelView } from "../src/kernel/index.js";
import { panicCpu } from "../src/kernel/index.js";

export async function assertNullreadSymbols(kernel: KernelView): Promise<void> {
  const symbols = await kernel.loadSymbols();
  assert.ok(symbols !== undefined);
  assert.equal(symbols.count, 87347);
  assert.equal(symbols.encoding, "absolute-percpu");
  const stext = kernel.vmcoreinfo.symbols.get("_stext") as bigint;
  assert.equal(symbols.lookup("_stext")?.address, stext);
  // _text and _stext share the address; either name is right
  assert.match(kernel.symbolize?.(stext + 5n)?.name ?? "", /^_s?text$/);
  assert.equal(kernel.symbolize?.(stext + 5n)?.offset, 5);
  assert.equal(kernel.symbolize?.(kernel.cpus[0]?.registers.rip as bigint)?.name, "stop_this_cpu");
  // panic_cpu read from memory agrees with the log's report
  assert.equal(kernel.panicCpuVariable, 1);
  assert.equal(panicCpu(kernel, (await kernel.readLog()).records), 1);
}
