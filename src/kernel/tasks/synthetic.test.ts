/**
 * The task table, runqueues, per-CPU data and modules on a synthetic kernel (test-kernel.ts):
 * leaders, threads, each CPU's idle task, the running-task marks, crash's order — then the
 * same memory damaged on purpose (a cycle, a link into unrelated memory, an unreadable page
 * in init_task.tasks, a thread ring and the modules list) must give partial results and a
 * warning naming the bad link, never a hang. Clone only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kernelSymbolizer, orcModuleTables, readModules } from "../modules/index.js";
import { cpuTopology, percpuAddress } from "../percpu.js";
import { psMemory, readMemoryUsage } from "./memory-usage.js";
import { readRunqueues } from "./runqueue.js";
import { readTaskTable, type Task } from "./tasks.js";
import { CFS, RQ, RT_QUEUE, SyntheticKernel, T } from "./test-kernel.js";

/** init_task, kthreadd, a two-thread `sh`, a kworker, CPU 1's idle task; sh runs on CPU 1 */
function world() {
  const k = new SyntheticKernel(2);
  const init = k.symbols.get("init_task")?.address as bigint;
  k.task({ at: init, pid: 0, comm: "swapper/0", kernelThread: true });
  const kthreadd = k.task({ pid: 2, comm: "kthreadd", kernelThread: true, state: 0x1 });
  const initProc = k.task({ pid: 1, comm: "init", state: 0x1, cpu: 1 });
  const sh = k.task({ pid: 100, comm: "sh", parent: initProc, cpu: 1, lastArrival: 5_000_000n });
  const thread = k.task({ pid: 101, comm: "sh", leader: sh, parent: initProc, state: 0x2 });
  const worker = k.task({
    pid: 7,
    comm: "kworker/0:0",
    kernelThread: true,
    parent: kthreadd,
    state: 0x402,
  });
  const idle1 = k.task({ pid: 0, comm: "swapper/1", kernelThread: true, cpu: 1, unlisted: true });
  k.runqueue(0, init, init, 9_000_000n);
  k.runqueue(1, sh, idle1, 9_000_000n);
  return { k, init, kthreadd, initProc, sh, thread, worker, idle1 };
}

const rows = (table: Awaited<ReturnType<typeof readTaskTable>>) =>
  table.tasks.map(
    (t) =>
      `${t.active ? ">" : " "}${t.pid}/${t.ppid}/${t.cpu} ${t.stateName} ${t.kernelThread ? `[${t.comm}]` : t.comm}`,
  );

describe("the task table on a synthetic kernel", () => {
  it("lists leaders, threads and idle tasks in crash's order with crash's fields", async () => {
    const { k, sh, thread } = world();
    const table = await readTaskTable(k.kernel());
    assert.deepEqual(table.warnings, []);
    assert.deepEqual(rows(table), [
      ">0/0/0 RU [swapper/0]",
      " 0/0/1 RU [swapper/1]",
      " 1/0/1 IN init",
      " 2/0/0 IN [kthreadd]",
      " 7/2/0 ID [kworker/0:0]",
      ">100/1/1 RU sh",
      " 101/1/0 UN sh",
    ]);
    const t100 = table.byAddress.get(sh);
    assert.equal(t100?.threadSp, sh + 0x4000n);
    assert.equal(t100?.lastArrival, 5_000_000n);
    assert.equal(table.byAddress.get(thread)?.tgid, 100);
    assert.equal(table.tasks.filter((t) => t.idle).length, 2);
  });

  it("finds per-CPU variables and CPU masks", async () => {
    const { k } = world();
    const kernel = k.kernel();
    const topology = await cpuTopology(kernel);
    assert.deepEqual(
      { ids: topology.nrCpuIds, possible: topology.possible, online: topology.online },
      { ids: 2, possible: [0, 1], online: [0] },
    );
    assert.equal(await percpuAddress(kernel, "runqueues", 1), k.rq(1));
  });

  const damage: {
    what: string;
    apply: (w: ReturnType<typeof world>) => void;
    warning: RegExp;
    pids: number[];
  }[] = [
    {
      what: "a cycle in init_task.tasks",
      apply: ({ k, sh, initProc }) => k.u64(sh + BigInt(T.tasks), initProc + BigInt(T.tasks)),
      warning:
        /init_task.tasks: task 0x[0-9a-f]+ \(pid 100 "sh"\) links to task 0x[0-9a-f]+ \(pid 1 "init"\), which is already in the list \(a cycle\)/,
      // kworker (after sh) is recovered walking backwards
      pids: [0, 0, 1, 2, 7, 100, 101],
    },
    {
      what: "a link into unrelated (freed) memory",
      apply: ({ k, sh }) => {
        const freed = k.alloc(4096);
        k.u64(freed, 0xdead000000000100n);
        k.u64(freed + 8n, 0xdead000000000122n);
        k.u64(sh + BigInt(T.tasks), freed);
      },
      warning: /\(pid 100 "sh"\) links to task 0x[0-9a-f]+, whose prev is 0xdead000000000122/,
      pids: [0, 0, 1, 2, 7, 100, 101],
    },
    {
      what: "an unreadable page, both ways",
      apply: ({ k, sh, init }) => {
        k.holes.add(0xffff888077000000n);
        k.pages.set(0xffff888077000000n, new Uint8Array(4096));
        k.u64(sh + BigInt(T.tasks), 0xffff888077000000n);
        k.u64(init + BigInt(T.tasks) + 8n, 0xffff888077000000n); // head->prev too
      },
      warning:
        /\(pid 100 "sh"\) links to 0xffff888077000000, but it is unreadable \(page at 0xffff888077000000 is not in the dump\)/,
      // the kworker after sh is lost; everything else is there
      pids: [0, 0, 1, 2, 100, 101],
    },
    {
      what: "a cycle in a thread group",
      apply: ({ k, thread }) => k.u64(thread + BigInt(T.threadNode), thread + BigInt(T.threadNode)),
      warning:
        /the threads of task 0x[0-9a-f]+ \(pid 100 "sh"\): task 0x[0-9a-f]+ \(pid 101 "sh"\) links to task 0x[0-9a-f]+ \(pid 101 "sh"\), which is already in the list/,
      pids: [0, 0, 1, 2, 7, 100, 101],
    },
  ];
  for (const d of damage)
    it(`${d.what}: a partial table and a warning naming the link`, async () => {
      const w = world();
      d.apply(w);
      const table = await readTaskTable(w.k.kernel());
      assert.ok(
        table.warnings.some((x) => d.warning.test(x)),
        JSON.stringify(table.warnings),
      );
      assert.deepEqual(
        table.tasks.map((t) => t.pid),
        d.pids,
      );
    });

  it("an unreadable task_struct is left out, with a warning", async () => {
    const w = world();
    w.k.holes.add(w.worker - (w.worker % 4096n));
    // the list node lives in the task too, so the walk stops there and recovers backwards
    const table = await readTaskTable(w.k.kernel());
    assert.ok(!table.tasks.some((t) => t.pid === 7));
    assert.ok(
      table.warnings.some((x) => /unreadable/.test(x)),
      JSON.stringify(table.warnings),
    );
  });
});

describe("runqueues on a synthetic kernel", () => {
  it("walks the CFS tree in order and the RT queues by priority", async () => {
    const w = world();
    const { k } = w;
    const rq = k.rq(0);
    // CFS: kthreadd (left), init (root), worker (right); leftmost set
    const node = (task: bigint) => task + BigInt(T.seRunNode);
    k.u64(rq + BigInt(RQ.cfs + CFS.root), node(w.initProc));
    k.u64(node(w.initProc) + 16n, node(w.kthreadd)); // rb_left
    k.u64(node(w.initProc) + 8n, node(w.worker)); // rb_right
    k.u64(rq + BigInt(RQ.cfs + CFS.leftmost), node(w.kthreadd));
    // RT: the thread at priority 49
    k.listAdd(rq + BigInt(RQ.rt + RT_QUEUE + 49 * 16), w.thread + BigInt(T.rtRunList));
    const kernel = k.kernel();
    const report = await readRunqueues(kernel);
    assert.deepEqual(report.warnings, []);
    const cpu0 = report.cpus[0];
    assert.deepEqual(
      cpu0?.cfs.map((q) => q.task),
      [w.kthreadd, w.initProc, w.worker],
    );
    assert.deepEqual(cpu0?.rt, [{ task: w.thread, prio: 49 }]);
    assert.equal(cpu0?.clock, 9_000_000n);
    assert.deepEqual(report.cpus[1]?.cfs, []);

    // a cycle in the tree ends the walk with a warning
    k.u64(node(w.worker) + 8n, node(w.initProc));
    const damaged = await readRunqueues(k.kernel());
    assert.ok(
      damaged.warnings.some((x) => /reached twice \(a cycle\)/.test(x)),
      JSON.stringify(damaged.warnings),
    );
  });
});

describe("modules on a synthetic kernel", () => {
  it("lists modules by base, symbolizes their text, and survives a damaged list", async () => {
    const w = world();
    const { k } = w;
    const alpha = k.module("alpha", 0xffffffffc0010000n, 0x3000, [
      ["alpha_init", 0x0, 0x40],
      ["alpha_work", 0x40, 0x80],
    ]);
    k.module("beta", 0xffffffffc0000000n, 0x2000, [["beta_fn", 0x10, 0x20]]);
    const kernel = k.kernel();
    const list = await readModules(kernel);
    assert.deepEqual(
      list.modules.map((m) => `${m.name} ${m.base.toString(16)} ${m.size}`),
      ["beta ffffffffc0000000 8192", "alpha ffffffffc0010000 12288"],
    );
    const symbolizer = await kernelSymbolizer(kernel);
    assert.deepEqual(symbolizer.symbolize(0xffffffffc0010050n), {
      name: "alpha_work",
      offset: 0x10,
      size: 0x80,
      module: "alpha",
    });
    assert.equal(symbolizer.symbolize(0xffffffffc0000015n)?.name, "beta_fn");
    assert.equal(
      symbolizer.symbolize(0xffffffffc0100000n),
      undefined,
      "outside every module and the image",
    );
    assert.deepEqual(orcModuleTables(list), [], "no ORC tables in these modules");

    // alpha's list node points back at itself: beta (listed first) stays, alpha is recovered
    k.u64(alpha + 8n, alpha + 8n);
    const damaged = await readModules(k.kernel());
    assert.ok(
      damaged.warnings.some((x) =>
        /modules: module at 0x[0-9a-f]+ links to module at 0x[0-9a-f]+, which is already/.test(x),
      ),
    );
    assert.deepEqual(
      damaged.modules.map((m) => m.name),
      ["beta", "alpha"],
    );
  });
});

describe("newer layouts, found by feature detection", () => {
  it("v6.4+ module mem[]: BASE is MOD_TEXT's, SIZE the core regions' sum (init text left out)", async () => {
    const k = new SyntheticKernel(2, { newer: true });
    const init = k.symbols.get("init_task")?.address as bigint;
    k.task({ at: init, pid: 0, comm: "swapper/0", kernelThread: true });
    k.module("gamma", 0xffffffffc0020000n, 0x5000, [["gamma_fn", 0x20, 0x10]]);
    const kernel = k.kernel();
    const list = await readModules(kernel);
    const gamma = list.modules[0];
    assert.equal(gamma?.base, 0xffffffffc0020000n);
    assert.equal(gamma?.size, 0x5000);
    assert.equal(gamma?.textEnd, 0xffffffffc0021000n);
    assert.equal((await kernelSymbolizer(kernel)).symbolize(0xffffffffc0020024n)?.name, "gamma_fn");
  });

  it("v6.2+ pcpu_hot.current_task marks the running task when rq->curr is unreadable", async () => {
    for (const newer of [false, true]) {
      const k = new SyntheticKernel(2, { newer });
      const init = k.symbols.get("init_task")?.address as bigint;
      k.task({ at: init, pid: 0, comm: "swapper/0", kernelThread: true });
      const sh = k.task({ pid: 100, comm: "sh", cpu: 1 });
      k.runqueue(0, init, init);
      k.runqueue(1, sh, init);
      k.u64(k.rq(1) + BigInt(RQ.curr), 0n); // rq->curr lost: the per-CPU current must do
      const table = await readTaskTable(k.kernel());
      assert.deepEqual(
        table.tasks.filter((t) => t.active).map((t) => t.pid),
        [0, 100],
        newer ? "pcpu_hot" : "current_task",
      );
    }
  });
});

describe("VSZ, RSS and %MEM as crash computes them", () => {
  for (const newer of [false, true])
    it(`${newer ? "v6.2+ percpu_counter" : "atomic_long_t count[]"} rss_stat`, async () => {
      const k = new SyntheticKernel(2, { newer });
      const init = k.symbols.get("init_task")?.address as bigint;
      k.task({ at: init, pid: 0, comm: "swapper/0", kernelThread: true });
      const sh = k.task({ pid: 100, comm: "sh" });
      // file 1, anon 15, swap entries 7 (not resident), shmem 384; +2 per CPU on v6.2+
      k.u64(sh + BigInt(T.mm), k.mm(565n, [1n, 15n, 7n, 384n], newer ? 2 : 0));
      k.runqueue(0, init, init);
      k.runqueue(1, init, init);
      const kernel = k.kernel();
      const table = await readTaskTable(kernel);
      const usage = await readMemoryUsage(kernel, table.tasks);
      assert.equal(usage.totalPages, 65406n);
      const m = psMemory(usage, table.byAddress.get(sh) as Task);
      const rss = newer ? 400n + 3n * 2n * 2n : 400n;
      assert.deepEqual(m, {
        percent: (Number(rss) * 100) / 65406,
        vszKiB: 2260n,
        rssKiB: rss * 4n,
      });
      assert.deepEqual(psMemory(usage, table.tasks[0] as Task), {
        percent: 0,
        vszKiB: 0n,
        rssKiB: 0n,
      });
    });
});
