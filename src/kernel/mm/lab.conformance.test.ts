/**
 * Pages, SLUB and IRQs on the lab's real dumps (Debian 6.1, KASLR, hardened free lists),
 * checked against what the peers and the kernel itself printed: crash's `ps` task addresses
 * (each a `task_struct` slab object), the kernel's own "Unreclaimable slab info" and
 * "Mem-Info" at the OOM panic, the boot log's SLUB and IRQ lines, and SLUB's own counters
 * (every listed slab's free list must hold exactly objects − inuse entries).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sharedRoot } from "../../../test/shared.js";
import { labDumps } from "../../../test/writers/lab.js";
import { ShellSession } from "../../shell/session.js";
import { Kernel } from "../kernel.js";
import { readIrqTable } from "./irq.js";
import { mapleEntries, readMapleLayout } from "./maple-tree.js";
import { readMemInfo } from "./meminfo.js";
import { readMemMap } from "./pages.js";
import { readSlab, slabAnnotation, slabInfo, walkSlabFreelist } from "./slab.js";
import { cacheSlabs, slabCaches } from "./slab-caches.js";
import { findFreeBlock, readZones } from "./zones.js";

const lab = labDumps();
const runs = ["hung", "nullread", "bugon", "softlockup"] as const;

interface PsRow {
  pid: number;
  task: bigint;
  comm: string;
}

async function crashPs(run: string): Promise<PsRow[]> {
  const text = await readFile(
    join(sharedRoot, "lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"),
    "utf8",
  );
  return [
    ...text.matchAll(/^>?\s+(\d+)\s+\d+\s+\d+\s+([0-9a-f]{16})\s+[A-Z]{2}\s.*\s(\S+)$/gm),
  ].map((m) => ({ pid: Number(m[1]), task: BigInt(`0x${m[2]}`), comm: m[3] as string }));
}

for (const run of runs) {
  describe(`${run}.kdump-zlib: slab objects`, () => {
    let kernel: Kernel;
    before(async () => {
      kernel = await Kernel.open(join(lab, `${run}.kdump-zlib`));
    });
    after(() => kernel.close());

    it("every task crash's ps lists is an allocated task_struct object, but the static init_task", async () => {
      const tasks = await crashPs(run);
      assert.ok(tasks.length >= 50, `crash's ps lists ${tasks.length} tasks`);
      const mem = await readMemMap(kernel);
      for (const { task, comm, pid } of tasks) {
        const info = await slabInfo(kernel, task + 100n);
        if (pid === 0 && comm === "[swapper/0]") {
          assert.equal(info, undefined, "init_task is in the kernel image, not a slab");
          assert.equal(mem.classify(task).kind, "kernel-image");
          continue;
        }
        assert.ok(info !== undefined, `${comm} ${task.toString(16)} is not in a slab`);
        assert.equal(info.cache.name, "task_struct", comm);
        assert.equal(info.object?.start, task, comm);
        assert.equal(info.object?.offset, 100);
        assert.equal(info.state, "allocated", `${comm}: ${info.evidence.join("; ")}`);
        assert.equal(info.corrupt, undefined);
        assert.equal(await slabAnnotation(kernel, task), "task_struct");
      }
    });

    it("kmem -s counts one allocated task_struct per task but init_task, one pid per non-idle task", async () => {
      const tasks = (await crashPs(run)).length;
      const { caches } = await slabCaches(kernel, (n) => n === "task_struct" || n === "pid");
      const count = (name: string) => caches.find((c) => c.cache.name === name)?.allocated;
      if (run === "softlockup") {
        // a CPU spinning with preemption off stalls RCU, so exited tasks wait for
        // delayed_put_task_struct(): two EXIT_DEAD tasks (tr and an init child, pids 100
        // and 98) are still allocated though ps no longer lists them
        // (found by listing the cache's slabs: comm, pid, exit_state 16, __state 0x80); one of
        // their struct pids is still held too
        assert.equal(count("task_struct"), tasks - 1 + 2);
        assert.equal(count("pid"), tasks - 2 + 1);
      } else {
        assert.equal(count("task_struct"), tasks - 1);
        assert.equal(count("pid"), tasks - 2);
      }
    });

    it("task->thread_pid is an allocated pid object; task->cred a cred_jar one", async () => {
      const btf = await kernel.btf();
      const pidOffset = BigInt(btf.offsetof("task_struct", "thread_pid") as number);
      const credOffset = BigInt(btf.offsetof("task_struct", "cred") as number);
      let checked = 0;
      for (const { task, comm } of await crashPs(run)) {
        if (comm.startsWith("[swapper/")) continue; // idle tasks share the static init_struct_pid
        const pid = await kernel.memory.u64(task + pidOffset);
        const info = await slabInfo(kernel, pid);
        assert.equal(info?.cache.name, "pid", comm);
        assert.equal(info?.object?.start, pid);
        assert.equal(info?.state, "allocated");
        const cred = await kernel.memory.u64(task + credOffset);
        assert.equal((await slabInfo(kernel, cred))?.cache.name, "cred_jar", comm);
        checked++;
      }
      assert.ok(checked >= 50);
    });

    it("each user task's VMA maple tree (mm->mm_mt) holds map_count vm_area_struct objects", async () => {
      const btf = await kernel.btf();
      const layout = await readMapleLayout(kernel);
      const at = (s: string, f: string) => BigInt(btf.offsetof(s, f) as number);
      let mms = 0;
      for (const { task, comm } of await crashPs(run)) {
        const mm = await kernel.memory.u64(task + at("task_struct", "mm"));
        if (mm === 0n) continue;
        const notes: string[] = [];
        const entries = await mapleEntries(kernel, mm + at("mm_struct", "mm_mt"), layout, {
          notes,
        });
        assert.deepEqual(notes, []);
        assert.equal(
          entries.length,
          await kernel.memory.s32(mm + at("mm_struct", "map_count")),
          comm,
        );
        for (const { first, last, entry } of entries) {
          const [start, end] = await kernel.memory.words(
            entry + at("vm_area_struct", "vm_start"),
            2,
          );
          assert.equal(start, first, `${comm}: vm_start of ${entry.toString(16)}`);
          assert.equal((end as bigint) - 1n, last, `${comm}: vm_end of ${entry.toString(16)}`);
          const info = await slabInfo(kernel, entry);
          assert.equal(info?.cache.name, "vm_area_struct");
          assert.equal(info?.state, "allocated");
        }
        mms++;
      }
      assert.ok(mms >= 3, `${mms} user address spaces`);
    });

    it("module memory and kernel stacks are not slab", async () => {
      const mem = await readMemMap(kernel);
      // crash's mod: buggy's struct module at ffffffffc0478200 on every run (module area)
      const text = await readFile(
        join(sharedRoot, "lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"),
        "utf8",
      );
      const module = /^([0-9a-f]{16})\s+buggy\s/m.exec(text);
      assert.ok(module, "crash's mod lists buggy");
      const address = BigInt(`0x${module[1]}`);
      assert.equal(mem.classify(address).kind, "module");
      assert.equal(await slabInfo(kernel, address), undefined);
      assert.equal(await slabAnnotation(kernel, address), undefined);
      const btf = await kernel.btf();
      const init = (await crashPs(run)).find((t) => t.pid === 1); // swapper/0 runs on init_stack, in the image
      const stack = await kernel.memory.u64(
        (init?.task ?? 0n) + BigInt(btf.offsetof("task_struct", "stack") as number),
      );
      assert.equal(mem.classify(stack).kind, "vmalloc", "CONFIG_VMAP_STACK stacks are vmalloc'd");
    });

    it("every listed slab's free list holds exactly objects - inuse entries, none corrupt", async () => {
      const { caches } = await slabCaches(kernel);
      assert.ok(caches.length > 100, `${caches.length} caches`);
      let slabs = 0;
      for (const usage of caches) {
        assert.equal(usage.cache.nodes.length, 1, "Nodes=1 (SLUB boot line)");
        // SLAB_HWCACHE_ALIGN (0x2000) caches round their stride to HWalign=64
        if ((usage.cache.flags & 0x2000) !== 0 && usage.cache.objectSize > 32)
          assert.equal(usage.cache.size % 64, 0, `${usage.cache.name}: stride ${usage.cache.size}`);
        assert.ok(
          usage.cache.order <= 3,
          `${usage.cache.name}: order ${usage.cache.order} > 3 (Order=0-3)`,
        );
        assert.ok(usage.allocated !== undefined && usage.total !== undefined);
        assert.ok(usage.allocated <= usage.total, usage.cache.name);
        for (const { page } of (await cacheSlabs(kernel, usage.cache)).slabs) {
          const shape = await readSlab(kernel, page);
          const walk = await walkSlabFreelist(kernel, shape.freelist, shape.geometry);
          assert.equal(walk.corrupt, undefined, `${usage.cache.name} slab ${page.toString(16)}`);
          assert.equal(walk.objects.length, shape.geometry.objects - shape.inuse, usage.cache.name);
          const free = walk.objects[0];
          if (free !== undefined) {
            // an address inside a free object: kmem must call it free, on the slab's list
            const info = await slabInfo(kernel, free + BigInt(usage.cache.objectSize >> 1));
            assert.equal(info?.state, "free", `${usage.cache.name} ${free.toString(16)}`);
            assert.equal(info?.object?.start, free);
            assert.deepEqual(info?.freeOn, { list: "slab" });
          }
          slabs++;
        }
      }
      assert.ok(slabs > 150, `${slabs} slabs walked`);
      const aligned = caches.filter((u) => (u.cache.flags & 0x2000) !== 0).length;
      assert.ok(aligned >= 20, `${aligned} caches with SLAB_HWCACHE_ALIGN`);
    });

    it("per-CPU offsets: two CPUs, one 1 MiB unit apart (pcpu-alloc: u1048576)", async () => {
      const session = new ShellSession(kernel, { files: { dump: run } });
      const result = await session.run("kmem -o");
      assert.equal(result.errors, "");
      const lines = result.output.trimEnd().split("\n");
      assert.equal(lines[0], "PER-CPU OFFSET VALUES:");
      const offsets = lines
        .slice(1)
        .map((l) => BigInt(`0x${/^ {2}CPU \d: ([0-9a-f]+)$/.exec(l)?.[1]}`));
      assert.equal(offsets.length, 2);
      assert.equal((offsets[1] as bigint) - (offsets[0] as bigint), 1n << 20n);
      const mem = await readMemMap(kernel);
      assert.equal(mem.classify((offsets[1] as bigint) + 0x100n).kind, "per-cpu");
      assert.equal(mem.classify((offsets[1] as bigint) + 0x100n).cpu, 1);
    });
  });
}

describe("hung.kdump-zlib: kmem and irq output", () => {
  let kernel: Kernel;
  let session: ShellSession;
  before(async () => {
    kernel = await Kernel.open(join(lab, "hung.kdump-zlib"));
    session = new ShellSession(kernel, { files: { dump: "hung" } });
  });
  after(() => kernel.close());

  it("kmem on the blocked sh task (pid 100) names task_struct with the object bracketed", async () => {
    const sh = (await crashPs("hung")).find((t) => t.pid === 100);
    assert.ok(sh);
    const result = await session.run(`kmem ${(sh.task + 0x64n).toString(16)}`);
    assert.equal(result.errors, "");
    const lines = result.output.split("\n");
    assert.equal(lines[0], "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME");
    assert.match(lines[1] as string, /^[0-9a-f]{16} {5}8328 +\d+ +\d+ +\d+ {4}32k {2}task_struct$/);
    assert.equal(lines[2], "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE");
    assert.match(lines[3] as string, /^ {2}[0-9a-f]{16} {2}[0-9a-f]{16} {5}0 {6}3 /);
    assert.equal(lines[4], "  FREE / [ALLOCATED]");
    assert.equal(lines[5], `  [${sh.task.toString(16)}]`);
    assert.match(lines[8] as string, /^[0-9a-f]{16} +[0-9a-f]+ +[0-9a-f]+ +0 +\d+ [0-9a-f]+/);
  });

  it("kmem on a kernel stack names its task and vmap area; on module text, the module's area", async () => {
    // crash's bt: sh (pid 100) has a frame at ffffce0bc0393950; buggy_sync_with_worker at
    // ffffffffc0476401 in module buggy (loaded at ffffffffc0476000)
    const stack = await session.run("kmem ffffce0bc0393950");
    assert.equal(stack.errors, "");
    const lines = stack.output.split("\n");
    assert.deepEqual(lines.slice(0, 2), ["    PID: 100", 'COMMAND: "sh"']);
    assert.equal(lines[4], "  STATE: TASK_UNINTERRUPTIBLE ");
    assert.equal(
      lines[6],
      "   VMAP_AREA         VM_STRUCT                 ADDRESS RANGE                SIZE",
    );
    assert.match(
      lines[7] as string,
      /^[0-9a-f]{16} {2}[0-9a-f]{16} {2}ffffce0bc0390000 - ffffce0bc0395000 {4}20480$/,
    );
    const sh = (await crashPs("hung")).find((t) => t.pid === 100);
    const btf = await kernel.btf();
    const stackBase = await kernel.memory.u64(
      (sh?.task ?? 0n) + BigInt(btf.offsetof("task_struct", "stack") as number),
    );
    assert.equal(stackBase, 0xffffce0bc0390000n, "task->stack is the area's start");
    const panic = await session.run("kmem ffffce0bc00f7e38");
    assert.match(
      panic.output,
      /^ {4}PID: 28\nCOMMAND: "khungtaskd"\n.*\n {4}CPU: 1\n {2}STATE: TASK_RUNNING \(PANIC\) \n/,
    );
    const text = await session.run("kmem ffffffffc0476401");
    assert.match(
      text.output,
      /^ {3}VMAP_AREA.*\n[0-9a-f]{16} {2}[0-9a-f]{16} {2}ffffffffc0476000 - ffffffffc047b000 +20480\n/,
    );
    const image = await session.run("kmem init_task");
    assert.match(image.output, /^[0-9a-f]{16} \(D\) init_task\n\n {6}PAGE/);
  });

  it("kmem on a freed page names its zone, free area and place in the buddy block", async () => {
    const { zones, freeAreaSize } = await readZones(kernel);
    const mem = await readMemMap(kernel);
    const dma32 = zones.find((z) => z.name === "DMA32");
    assert.ok(dma32);
    // the first order-5 block on DMA32's unmovable list (list heads at free_area[5].free_list[0])
    const area = dma32.freeArea + BigInt(5 * freeAreaSize);
    const entry = await kernel.memory.u64(area);
    assert.notEqual(entry, area, "DMA32 has a free order-5 block");
    const head = mem.pageToPfn(entry - 8n);
    assert.ok(head !== undefined);
    const address = mem.physToDirect((head + 1n) << 12n) + 0x10n;
    const result = await session.run(`kmem ${address.toString(16)}`);
    assert.equal(result.errors, "");
    const lines = result.output.split("\n");
    assert.equal(
      lines[0],
      "ZONE  NAME        SIZE    FREE      MEM_MAP       START_PADDR  START_MAPNR",
    );
    assert.match(
      lines[1] as string,
      /^ {2}1 {3}DMA32 +61408 +\d+ {2}[0-9a-f]{16} +1000000 +4096 {2}$/,
    );
    assert.equal(lines[3], `  5     128k  ${area.toString(16)}  `);
    assert.equal(
      lines[4],
      `${(entry - 8n).toString(16)}  (${(address - 0x10n).toString(16)} is 2nd of 32 pages)`,
    );
  });

  it("kmem -i: TOTAL MEM between the boot log's available and physical totals", async () => {
    const info = await readMemInfo(kernel);
    const log = await readFile(join(lab, "hung.kdump-zlib.dmesg.txt"), "utf8");
    const m = /Memory: (\d+)K\/(\d+)K available/.exec(log);
    assert.ok(m && info.totalRam !== undefined && info.free !== undefined);
    const totalK = info.totalRam * 4;
    // init memory freed after that line (initmem, gaps, initrd) is added to totalram
    assert.ok(totalK > Number(m[1]) && totalK < Number(m[2]), `${totalK}K`);
    assert.ok(
      info.free < info.totalRam && info.free > info.totalRam / 2,
      "a fresh VM is mostly free",
    );
    const result = await session.run("kmem -i");
    const lines = result.output.split("\n");
    assert.equal(lines[0], "                 PAGES        TOTAL      PERCENTAGE");
    assert.equal(
      lines[1],
      `    TOTAL MEM  ${String(info.totalRam).padStart(7)}     218.2 MB         ----`,
    );
    assert.match(lines[2] as string, /^ {9}FREE +\d+ +[\d.]+ MB +\d+% of TOTAL MEM$/);
  });

  it("irq -u lists the handlers the boot log announces", async () => {
    const table = await readIrqTable(kernel);
    assert.equal(table.source, "irq_desc_tree");
    assert.equal(table.nrIrqs, 440, "NR_IRQS: 524544, nr_irqs: 440");
    const named = table.descriptors
      .filter((d) => d.actions.length > 0)
      .map((d) => `${d.irq} ${d.actions.map((a) => a.name).join(",")}`);
    // timer on 0; i8042 KBD irq 1 and AUX irq 12; ttyS0 irq = 4; rtc0; ACPI SCI on 9 (LNKS)
    assert.deepEqual(named, ["0 timer", "1 i8042", "4 ttyS0", "8 rtc0", "9 acpi", "12 i8042"]);
    const result = await session.run("irq 4");
    assert.match(
      result.output,
      /^ IRQ {3}IRQ_DESC\/_DATA {6}IRQACTION {6}NAME\n {2}4 {3}[0-9a-f]{16} {2}[0-9a-f]{16} {2}"ttyS0"\n$/,
    );
  });
});

describe("oom.qemu-kdump-flat: the kernel's own slab and memory report at the panic", () => {
  let kernel: Kernel;
  let log: string;
  before(async () => {
    kernel = await Kernel.open(join(lab, "oom.qemu-kdump-flat"));
    log = await readFile(join(lab, "oom.qemu-kdump-flat.dmesg.txt"), "utf8");
  });
  after(() => kernel.close());

  it("each cache's Used and Total KB match dump_unreclaimable_slab()", async () => {
    const { caches } = await slabCaches(kernel);
    const byName = new Map(caches.map((c) => [c.cache.name, c]));
    const rows = [...log.matchAll(/\] (\S+)\s+(\d+)KB\s+(\d+)KB$/gm)];
    assert.ok(rows.length >= 60, `${rows.length} rows`);
    for (const [, name, used, total] of rows) {
      const usage = byName.get(name as string);
      assert.ok(usage?.total !== undefined && usage.nodePartialFree !== undefined, `${name}`);
      const size = usage.cache.size;
      // slabinfo counts objects on CPU slabs as active: total − free on the node partial lists
      assert.equal(Math.floor((usage.total * size) / 1024), Number(total), `${name} Total`);
      assert.equal(
        Math.floor(((usage.total - usage.nodePartialFree) * size) / 1024),
        Number(used),
        `${name} Used`,
      );
    }
  });

  it("buddy free blocks per zone and order match show_free_areas(), and each is found by pfn", async () => {
    const { zones, orders, freeAreaSize, nrFreeOffset } = await readZones(kernel);
    const mem = await readMemMap(kernel);
    const lruOffset = BigInt((await kernel.btf()).offsetof("page", "lru") as number);
    for (const name of ["DMA", "DMA32"]) {
      const zone = zones.find((z) => z.name === name);
      assert.ok(zone, name);
      // "Node 0 DMA: 0*4kB 1*8kB (U) ... = 888kB"
      const line = new RegExp(`Node 0 ${name}: (.*) = (\\d+)kB`).exec(log);
      assert.ok(line, `Mem-Info has ${name}`);
      const expected = [...(line[1] as string).matchAll(/(\d+)\*\d+kB/g)].map((m) => Number(m[1]));
      assert.equal(expected.length, orders);
      assert.equal(Number(zone.freePages) * 4, Number(line[2]), `${name} free kB`);
      for (let order = 0; order < orders; order++) {
        const area: bigint = zone.freeArea + BigInt(order * freeAreaSize);
        assert.equal(
          Number(await kernel.memory.u64(area + BigInt(nrFreeOffset))),
          expected[order],
          `${name} order ${order}`,
        );
        // every block on the order's free lists: its last page maps back to it
        for (let type = 0; type < 5; type++) {
          const head = area + BigInt(type * 16);
          for (
            let entry: bigint = await kernel.memory.u64(head), n = 0;
            entry !== head && n < 10000;
            n++
          ) {
            const pfn = mem.pageToPfn(entry - lruOffset);
            assert.ok(pfn !== undefined);
            const block = await findFreeBlock(kernel, pfn + (1n << BigInt(order)) - 1n);
            assert.equal(block?.headPfn, pfn);
            assert.equal(block?.order, order);
            entry = await kernel.memory.u64(entry);
          }
        }
      }
    }
  });

  it("free, slab and page cache match show_mem()'s Mem-Info", async () => {
    const info = await readMemInfo(kernel);
    const number = (re: RegExp) => Number(re.exec(log)?.[1]);
    assert.equal(info.free, number(/ free:(\d+) free_pcp/));
    // crash's SHARED is a memmap tally with no kernel counterpart: in use pages only
    assert.ok(info.shared !== undefined && info.shared > 0);
    assert.ok((info.shared ?? 0) <= (info.totalRam ?? 0) - (info.free ?? 0));
    assert.equal(info.slab, number(/slab_reclaimable:(\d+)/) + number(/slab_unreclaimable:(\d+)/));
    assert.equal(info.cached, number(/(\d+) total pagecache pages/));
    assert.equal(info.totalRam, number(/(\d+) pages RAM/) - number(/(\d+) pages reserved/));
    assert.equal(info.swapTotal, 0, "Total swap = 0kB");
  });
});
