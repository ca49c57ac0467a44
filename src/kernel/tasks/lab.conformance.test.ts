/**
 * The task table read from each lab dump against the `ps` table crash 8.0.6 printed (with the
 * full debuginfo vmlinux) on the same memory: every row's PID, PPID, CPU, TASK, ST, %MEM, VSZ,
 * RSS, COMM and `>` mark must be equal. Then the same dump behind a deliberately corrupted
 * reader: a cycle, a link into unrelated memory and an unreadable page in init_task.tasks must
 * give a table (partial or recovered) plus a warning naming the bad link, never a hang.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import { labDumps } from "../../../test/writers/lab.js";
import { CrashlensError } from "../../errors.js";
import { Kernel } from "../kernel.js";
import { cpuTopology, currentTask, percpuAddress } from "../percpu.js";
import { taskLayout } from "./layout.js";
import { psMemory, readMemoryUsage } from "./memory-usage.js";
import { readRunqueues } from "./runqueue.js";
import { readTaskTable } from "./tasks.js";

const runs = ["hung", "nullread", "bugon", "softlockup"];

interface CrashRow {
  active: boolean;
  pid: number;
  ppid: number;
  cpu: number;
  task: string;
  st: string;
  mem: string;
  vsz: string;
  rss: string;
  comm: string;
}

const ROW =
  /^([> ]) +(\d+) +(\d+) +(\d+) +([0-9a-f]{16}) +([A-Z?]{2}\S*) +([\d.]+) +(\d+) +(\d+) {2}(.*)$/;

/** the first `ps` table in crash's session output */
export function crashPsRows(text: string): CrashRow[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("      PID    PPID  CPU"));
  assert.ok(start >= 0, "crash's output has a ps table");
  const rows: CrashRow[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = ROW.exec(line);
    if (!m) break;
    rows.push({
      active: m[1] === ">",
      pid: Number(m[2]),
      ppid: Number(m[3]),
      cpu: Number(m[4]),
      task: m[5] as string,
      st: m[6] as string,
      mem: m[7] as string,
      vsz: m[8] as string,
      rss: m[9] as string,
      comm: m[10] as string,
    });
  }
  return rows;
}

describe("tasks: equal to crash 8.0.6's ps on the lab dumps", () => {
  for (const run of runs)
    it(`${run}: every row and column equal`, async (t) => {
      const kernel = await Kernel.open(join(labDumps(), `${run}.kdump-zlib`));
      try {
        await kernel.btf();
        const table = await readTaskTable(kernel);
        const usage = await readMemoryUsage(kernel, table.tasks);
        const crash = crashPsRows(
          readFileSync(shared("lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"), "latin1"),
        );
        assert.deepEqual(table.warnings, []);
        assert.equal(table.tasks.length, crash.length, "as many tasks as crash lists");
        const columns = ["active", "pid", "ppid", "cpu", "task", "st", "mem", "vsz", "rss", "comm"];
        const differing = new Map<string, number>();
        let equalRows = 0;
        table.tasks.forEach((task, i) => {
          const row = crash[i] as CrashRow;
          const m = psMemory(usage, task);
          const ours: CrashRow = {
            active: task.active,
            pid: task.pid,
            ppid: task.ppid,
            cpu: task.cpu,
            task: task.address.toString(16).padStart(16, "0"),
            st: task.stateName,
            mem: m.percent.toFixed(1),
            vsz: String(m.vszKiB),
            rss: String(m.rssKiB),
            comm: task.kernelThread ? `[${task.comm}]` : task.comm,
          };
          let same = true;
          for (const c of columns)
            if (ours[c as keyof CrashRow] !== row[c as keyof CrashRow]) {
              differing.set(c, (differing.get(c) ?? 0) + 1);
              same = false;
            }
          if (same) equalRows++;
        });
        t.diagnostic(
          `${run}: ${crash.length} rows compared, ${equalRows} equal in all ${columns.length} columns; task table in ${table.elapsedMs.toFixed(1)} ms`,
        );
        assert.deepEqual(Object.fromEntries(differing), {}, "columns that differ from crash");
        assert.equal(equalRows, crash.length);
        assert.ok(table.elapsedMs < 5000, `listing tasks took ${table.elapsedMs} ms`);
      } finally {
        await kernel.close();
      }
    });
});

/** The lab kernel behind a reader that patches some 64-bit words and faults on some pages. */
function corrupted(kernel: Kernel, patches: Map<bigint, bigint>, holes: readonly bigint[]): Kernel {
  const read = kernel.view.readVirtual;
  const readVirtual = async (address: bigint, length: number): Promise<Uint8Array> => {
    for (const hole of holes)
      if (hole >= address - 4095n && hole < address + BigInt(length))
        throw new CrashlensError("fault", `page ${hole.toString(16)} is not in the dump`, {
          address: hole,
        });
    const bytes = new Uint8Array(await read(address, length));
    const view = new DataView(bytes.buffer);
    for (const [at, value] of patches)
      if (at >= address && at + 8n <= address + BigInt(length))
        view.setBigUint64(Number(at - address), value, true);
    return bytes;
  };
  return Kernel.fromView({ ...kernel.view, readVirtual });
}

describe("tasks: a damaged init_task.tasks gives a partial table and a warning", () => {
  it("a cycle, a link into unrelated memory, an unreadable page, and both ways broken", async () => {
    const clean = await Kernel.open(join(labDumps(), "hung.kdump-zlib"));
    try {
      const table = await readTaskTable(clean);
      const offset = BigInt((await taskLayout(clean)).tasks.offset);
      const byPid = (pid: number) =>
        table.tasks.find((t) => t.pid === pid && !t.idle)?.address as bigint;
      const sh = byPid(100);
      const init = byPid(1);
      const unreadable = 0xffffc90000000000n;
      const shNext = sh + offset;
      const cases: {
        what: string;
        patch: bigint;
        warning: RegExp;
        holes?: bigint[];
        count: (n: number) => boolean;
      }[] = [
        {
          what: "cycle",
          patch: init + offset,
          warning: new RegExp(
            `task 0x${sh.toString(16)} \\(pid 100 "sh"\\) links to task 0x${init.toString(16)} \\(pid 1 "init"\\), which is already in the list \\(a cycle\\)`,
          ),
          count: (n) => n === table.tasks.length,
        },
        {
          what: "link into unrelated memory",
          patch: init + 0x100n,
          warning:
            /\(pid 100 "sh"\) links to task 0x[0-9a-f]+, whose prev is 0x[0-9a-f]+, not 0x[0-9a-f]+ \(freed or reused memory\?\)/,
          count: (n) => n === table.tasks.length,
        },
        {
          what: "unreadable page",
          patch: unreadable,
          warning: /\(pid 100 "sh"\) links to 0xffffc90000000000, but it is unreadable/,
          count: (n) => n === table.tasks.length,
        },
        {
          what: "both directions broken",
          patch: unreadable,
          holes: [unreadable],
          warning: /\(pid 100 "sh"\) links to 0xffffc90000000000, but it is unreadable/,
          count: (n) => n < table.tasks.length && n > 50,
        },
      ];
      const initTask = (await clean.symbols()).lookup("init_task")?.address as bigint;
      for (const c of cases) {
        const patches = new Map([[shNext, c.patch]]);
        // the last case also breaks head->prev, so nothing can be recovered backwards
        if (c.holes !== undefined) patches.set(initTask + offset + 8n, unreadable);
        const kernel = corrupted(clean, patches, c.holes ?? [unreadable]);
        const started = performance.now();
        const damaged = await readTaskTable(kernel);
        assert.ok(performance.now() - started < 10_000, `${c.what}: the walk must end`);
        assert.ok(
          damaged.warnings.some((w) => c.warning.test(w)),
          `${c.what}: ${JSON.stringify(damaged.warnings)}`,
        );
        assert.ok(c.count(damaged.tasks.length), `${c.what}: ${damaged.tasks.length} tasks`);
        assert.ok(
          damaged.tasks.some((t) => t.pid === 100),
          `${c.what}: sh is still listed`,
        );
        if (c.holes !== undefined)
          assert.ok(
            !damaged.tasks.some((t) => t.pid === 101),
            "the tasks past the damage are lost",
          );
      }
    } finally {
      await clean.close();
    }
  });
});

describe("runqueues and per-CPU data on the lab dumps", () => {
  it("every runnable task that is not running is queued (stop-class migration/N aside)", async () => {
    const expected: Record<string, string[]> = {
      softlockup: ["0 cfs 7 kworker/0:0"],
      bugon: ["0 cfs 15 rcu_preempt"],
      hung: [],
      nullread: [],
    };
    for (const run of runs) {
      const kernel = await Kernel.open(join(labDumps(), `${run}.kdump-zlib`));
      try {
        const table = await readTaskTable(kernel);
        const report = await readRunqueues(kernel, table);
        assert.deepEqual(report.warnings, []);
        const queued = report.cpus.flatMap((c) =>
          (["rt", "cfs"] as const).flatMap((kind) =>
            c[kind].map((q) => {
              const task = table.byAddress.get(q.task);
              return `${c.cpu} ${kind} ${task?.pid} ${task?.comm}`;
            }),
          ),
        );
        assert.deepEqual(queued, expected[run], run);
        const runnable = table.tasks
          .filter(
            (t) => t.stateName === "RU" && !t.active && !t.idle && !t.comm.startsWith("migration/"),
          )
          .map((t) => t.pid);
        assert.deepEqual(
          runnable,
          queued.map((q) => Number(q.split(" ")[2])),
          `${run}: runnable tasks are the queued ones`,
        );
        for (const c of report.cpus) {
          assert.equal(c.curr, table.cpus[c.cpu]?.curr);
          assert.equal(
            c.cfsRoot > c.rq && c.rtArray > c.cfsRoot,
            true,
            "&rq->cfs.tasks_timeline < &rq->rt.active",
          );
        }
      } finally {
        await kernel.close();
      }
    }
  });

  it("CPU topology and per-CPU addresses agree with crash's CPUS line and with rq->curr", async () => {
    for (const run of runs) {
      const kernel = await Kernel.open(join(labDumps(), `${run}.kdump-zlib`));
      try {
        const crash = readFileSync(
          shared("lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"),
          "latin1",
        );
        assert.match(crash, /CPUS: 2 \[OFFLINE: 1\]/);
        const topology = await cpuTopology(kernel);
        assert.equal(topology.nrCpuIds, 2);
        assert.deepEqual(topology.possible, [0, 1]);
        assert.equal(topology.numOnline, 1, "the panicking CPU stopped the other one");
        assert.deepEqual(topology.online, [kernel.view.panicCpuVariable]);
        const rq0 = await percpuAddress(kernel, "runqueues", 0);
        const rq1 = await percpuAddress(kernel, "runqueues", 1);
        assert.equal(rq1 - rq0, (topology.offsets[1] as bigint) - (topology.offsets[0] as bigint));
        const offset = (await kernel.symbols()).lookup("runqueues")?.address as bigint;
        assert.equal(await percpuAddress(kernel, offset, 1), rq1);
        await assert.rejects(percpuAddress(kernel, "runqueues", 2), /CPU 2 does not exist/);
        await assert.rejects(percpuAddress(kernel, "no_such_percpu", 0), /not in kallsyms/);
        const table = await readTaskTable(kernel);
        for (const cpu of [0, 1])
          assert.equal(
            await currentTask(kernel, cpu),
            table.cpus[cpu]?.curr,
            `${run}: CPU ${cpu} current`,
          );
      } finally {
        await kernel.close();
      }
    }
  });
});
