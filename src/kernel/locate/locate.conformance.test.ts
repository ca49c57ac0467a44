/**
 * The locators on the arm64 lab's dumps (kallsyms of text symbols only), against what crash
 * (ARM64 build, with the DWARF vmlinux) printed for the same dumps: init_task is crash's
 * swapper/0, the module list holds crash's modules in order, every CPU's runqueue has
 * `rq->cpu` equal to its index, and the BTF found parses with the layouts the shell needs.
 * On the x86-64 lab, where kallsyms names them, nothing is located (kallsyms wins).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import type { Btf } from "../btf/index.js";
import type { Kallsyms } from "../kallsyms.js";
import { Kernel } from "../kernel.js";
import { findBtf, findPerCpu, locateSymbols } from "./index.js";

for (const run of ["hung", "nullread"] as const) {
  describe(`locating data on the arm64 lab's ${run} dump`, () => {
    let kernel: Kernel;
    let kallsyms: Kallsyms;
    let crash: string;
    let btf: Btf;
    before(async () => {
      kernel = await Kernel.open(join(shared("lab", "arm64", "dumps"), `${run}.kdump-zlib`));
      kallsyms = (await kernel.view.loadSymbols()) as Kallsyms;
      crash = await readFile(
        join(shared("lab", "arm64", "runs"), run, "peers", "crash-arm64.kdump-zlib.txt"),
        "latin1",
      );
      const found = await findBtf({ kernel, kallsyms });
      assert.ok(found, "BTF found in the image");
      btf = found.btf;
    });
    after(() => kernel.close());

    it("kallsyms has no data symbols, so everything is located", async () => {
      for (const name of ["__start_BTF", "init_task", "__per_cpu_offset", "runqueues", "modules"])
        assert.equal(kallsyms.lookup(name), undefined, name);
      const located = await locateSymbols({ kernel, kallsyms });
      assert.deepEqual([...located.keys()].sort(), [
        "__per_cpu_offset",
        "__start_BTF",
        "__stop_BTF",
        "init_task",
        "irq_stack_ptr",
        "modules",
        "node_data",
        "runqueues",
        "tk_core",
      ]);
    });

    it("BTF has the layouts the arm64 unwinder reads", () => {
      assert.equal(btf.offsetof("pt_regs", "stackframe"), 0x130);
      assert.equal(btf.find("struct pt_regs")?.size, 0x150);
      assert.notEqual(btf.offsetof("task_struct", "thread.cpu_context.fp"), undefined);
    });

    it("init_task is crash's swapper/0", async () => {
      const swapper = /^[> ] +0 +0 +0 +([0-9a-f]{16}) +RU .*\[swapper\/0\]$/m.exec(crash)?.[1];
      const located = await locateSymbols({ kernel, kallsyms });
      assert.equal(located.get("init_task")?.toString(16), swapper);
    });

    it("per-CPU offsets: each CPU's runqueue says it is that CPU's", async () => {
      const located = await locateSymbols({ kernel, kallsyms });
      const initTask = located.get("init_task") as bigint;
      const perCpu = await findPerCpu({ kernel, kallsyms }, btf, initTask, kernel.view.cpus.length);
      assert.ok(perCpu);
      const cpuAt = BigInt(btf.offsetof("rq", "cpu") as number);
      for (const [cpu, offset] of perCpu.offsets.entries())
        assert.equal(
          await kernel.memory.s32(BigInt.asUintN(64, perCpu.runqueues + offset + cpuAt)),
          cpu,
        );
    });

    it("irq_stack_ptr: each CPU's IRQ stack, the one the idle CPU was caught on among them", async () => {
      const located = await locateSymbols({ kernel, kallsyms });
      const symbol = located.get("irq_stack_ptr") as bigint;
      const initTask = located.get("init_task") as bigint;
      const perCpu = await findPerCpu({ kernel, kallsyms }, btf, initTask, kernel.view.cpus.length);
      const stacks = await Promise.all(
        (perCpu?.offsets ?? []).map((o) => kernel.memory.u64(BigInt.asUintN(64, symbol + o))),
      );
      assert.equal(new Set(stacks).size, kernel.view.cpus.length);
      // the CPU stopped in the IPI handler (swapper/0 in hung, swapper/1 in nullread)
      const idle = run === "hung" ? 0 : 1;
      const sp = kernel.view.cpus.find((c) => c.cpu === idle)?.registers.sp as bigint;
      const base = stacks[idle] as bigint;
      assert.ok(
        sp >= base && sp < base + 0x4000n,
        `${sp.toString(16)} not in ${base.toString(16)}`,
      );
    });

    it("the module list holds crash's modules (crash lists them by address)", async () => {
      const located = await locateSymbols({ kernel, kallsyms });
      const head = located.get("modules") as bigint;
      const listAt = BigInt(btf.offsetof("module", "list") as number);
      const theirs = [
        ...new Set(
          [...crash.matchAll(/^([0-9a-f]{16}) {2}(\S+) +[0-9a-f]{16} +\d+ /gm)].map((m) => m[1]),
        ),
      ];
      const ours: string[] = [];
      let node = await kernel.memory.u64(head);
      while (node !== head && ours.length < 10) {
        ours.push((node - listAt).toString(16));
        node = await kernel.memory.u64(node);
      }
      assert.deepEqual([...ours].sort(), theirs.slice(0, 3).sort());
    });
  });
}

describe("locating on the x86-64 lab: kallsyms names everything, nothing is located", () => {
  it("returns an empty map", async () => {
    const kernel = await Kernel.open(join(shared("lab", "dumps"), "hung.kdump-zlib"));
    try {
      const kallsyms = (await kernel.view.loadSymbols()) as Kallsyms;
      const btf = await kernel.btf();
      const located = await locateSymbols({ kernel, kallsyms }, btf);
      assert.equal(located.size, 0, [...located.keys()].join(", "));
    } finally {
      await kernel.close();
    }
  });
});
