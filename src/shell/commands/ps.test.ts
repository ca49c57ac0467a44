/**
 * `ps`, `mod` and `runq` output shapes against lines crash 8.0.6 printed on the lab's hung
 * dump (copied here, so the check runs on a bare clone), and the argument and filter rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoadedModule } from "../../kernel/modules/index.js";
import type { MemoryUsage, Task, TaskTable } from "../../kernel/tasks/index.js";
import { formatModTable } from "./mod.js";
import {
  formatLastRun,
  formatLastRunMs,
  formatLastRunMsByCpu,
  formatNanoseconds,
  formatPercent,
  formatPsRow,
  psHeader,
  psHeaderKstackp,
  selectTasks,
  stateSummary,
  taskHeader,
} from "./ps.js";
import {
  formatOnRq,
  formatRunningTimes,
  formatRunqueue,
  formatTimestamps,
  parseCpuSpec,
} from "./runq.js";

function task(fields: Partial<Task> & Pick<Task, "pid" | "address" | "comm">): Task {
  return {
    tgid: fields.pid,
    ppid: 0,
    parent: 0n,
    cpu: 0,
    state: 0,
    exitState: 0,
    stateName: "RU",
    flags: 0,
    mm: 0n,
    kernelThread: false,
    active: false,
    idle: false,
    ...fields,
  };
}

const swapper = task({
  pid: 0,
  address: 0xffffffff9a21aa40n,
  comm: "swapper/0",
  kernelThread: true,
  active: true,
});
const sh = task({
  pid: 100,
  ppid: 1,
  address: 0xffff8bec42af20c0n,
  comm: "sh",
  stateName: "UN",
  mm: 0xffff8bec41054480n,
  lastArrival: 2_813_411_072n,
});
const worker = task({
  pid: 102,
  ppid: 2,
  address: 0xffff8bec4284c180n,
  comm: "buggy_worker",
  stateName: "UN",
  kernelThread: true,
});
const thread = task({
  pid: 103,
  ppid: 1,
  address: 0xffff8bec42af6000n,
  comm: "sh",
  stateName: "IN",
  mm: sh.mm,
});
thread.tgid = 100;

const usage: MemoryUsage = {
  byTask: new Map([[sh.address, { totalVm: 565n, rss: 394n }]]),
  totalPages: 65406n,
  pageSize: 4096,
  warnings: [],
};

const table: TaskTable = {
  tasks: [swapper, sh, worker, thread],
  byAddress: new Map([swapper, sh, worker, thread].map((t) => [t.address, t])),
  cpus: [{ cpu: 0, rq: 0xffff8bec4f831980n, curr: swapper.address, idle: swapper.address }],
  warnings: [],
  stateBits: { id: "test" } as TaskTable["stateBits"],
  elapsedMs: 0,
};

describe("ps rows in crash 8.0.6's columns", () => {
  it("prints the header, '>' for the running task, [comm] for kernel threads, KiB and %MEM", () => {
    assert.equal(
      psHeader,
      "      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM",
    );
    assert.equal(
      formatPsRow(swapper, usage),
      ">       0       0   0  ffffffff9a21aa40  RU   0.0        0        0  [swapper/0]",
    );
    assert.equal(
      formatPsRow(sh, usage),
      "      100       1   0  ffff8bec42af20c0  UN   0.6     2260     1576  sh",
    );
    assert.equal(
      formatPsRow(worker, usage),
      "      102       2   0  ffff8bec4284c180  UN   0.0        0        0  [buggy_worker]",
    );
  });

  it("-s prints the saved stack pointer, -- for a running task", () => {
    assert.equal(
      psHeaderKstackp,
      "      PID    PPID  CPU      KSTACKP      ST  %MEM      VSZ      RSS  COMM",
    );
    const sleeping = { ...sh, threadSp: 0xffffce0bc0393920n };
    assert.equal(
      formatPsRow(sleeping, usage, true),
      "      100       1   0  ffffce0bc0393920  UN   0.6     2260     1576  sh",
    );
    assert.equal(
      formatPsRow(swapper, usage, true),
      ">       0       0   0         --         RU   0.0        0        0  [swapper/0]",
    );
  });

  it("formats %MEM as crash does at 100 and below 10", () => {
    assert.equal(formatPercent(0.636), " 0.6");
    assert.equal(formatPercent(12.34), "12.3");
    assert.equal(formatPercent(100), "100.0");
  });

  it("prints crash's task header and -m's elapsed time", () => {
    assert.equal(taskHeader(sh), 'PID: 100      TASK: ffff8bec42af20c0  CPU: 0    COMMAND: "sh"');
    assert.equal(formatNanoseconds(90_061_001_000_000n), "1 01:01:01.001");
    assert.deepEqual(formatLastRunMs([sh], new Map([[0, 10_616_000_000n]])), [
      '[0 00:00:07.802] [UN]  PID: 100      TASK: ffff8bec42af20c0  CPU: 0    COMMAND: "sh"',
    ]);
  });
});

describe("ps -m/-l per CPU and runq -d", () => {
  const other = { ...worker, cpu: 1, lastArrival: 9_000_000_000n };
  it("groups by CPU with crash's CPU: lines and day padding", () => {
    const recent = { ...worker, lastArrival: 999_999_000_000_000n };
    const clocks = new Map([
      [0, 1_000_000_000_000_000n], // 11 days 13:46:40
      [1, 10_000_000_000n],
    ]);
    assert.deepEqual(formatLastRunMsByCpu([sh, recent, other], clocks, [0, 1]), [
      "CPU: 0",
      '[ 0 00:00:01.000] [UN]  PID: 102      TASK: ffff8bec4284c180  CPU: 0    COMMAND: "buggy_worker"',
      '[11 13:46:37.186] [UN]  PID: 100      TASK: ffff8bec42af20c0  CPU: 0    COMMAND: "sh"',
      "\nCPU: 1",
      '[0 00:00:01.000] [UN]  PID: 102      TASK: ffff8bec4284c180  CPU: 1    COMMAND: "buggy_worker"',
    ]);
    assert.deepEqual(formatLastRun([sh, other], [1]), [
      "CPU: 1",
      '[9000000000] [UN]  PID: 102      TASK: ffff8bec4284c180  CPU: 1    COMMAND: "buggy_worker"',
    ]);
  });

  it("runq -d lists the tasks whose on_rq is set, by CPU", () => {
    const queued = { ...table, tasks: [{ ...swapper, onRq: 1, prio: 120 }, sh] } as TaskTable;
    assert.deepEqual(formatOnRq(queued, [0, 1]), [
      "CPU 0",
      '     [120] PID: 0      TASK: ffffffff9a21aa40  COMMAND: "swapper/0"',
      "\nCPU 1",
      "     [no tasks queued]",
    ]);
  });
});

describe("ps filters and arguments", () => {
  it("-k, -u, -G and -A", () => {
    assert.deepEqual(
      selectTasks(table, { kernelOnly: true }, []).map((t) => t.pid),
      [0, 102],
    );
    assert.deepEqual(
      selectTasks(table, { userOnly: true }, []).map((t) => t.pid),
      [100, 103],
    );
    assert.deepEqual(
      selectTasks(table, { groupLeaders: true, userOnly: true }, []).map((t) => t.pid),
      [100],
    );
    assert.deepEqual(
      selectTasks(table, { activeOnly: true }, []).map((t) => t.pid),
      [0],
    );
  });

  it("pid, task address, command, \\command and 'regex'", () => {
    assert.deepEqual(
      selectTasks(table, {}, ["102"]).map((t) => t.pid),
      [102],
    );
    assert.deepEqual(
      selectTasks(table, {}, ["ffff8bec42af20c0"]).map((t) => t.pid),
      [100],
    );
    assert.deepEqual(
      selectTasks(table, {}, ["sh"]).map((t) => t.pid),
      [100, 103],
    );
    assert.deepEqual(
      selectTasks(table, {}, ["'^buggy'"]).map((t) => t.pid),
      [102],
    );
    assert.deepEqual(
      selectTasks(table, {}, ["\\sh"]).map((t) => t.pid),
      [100, 103],
    );
    assert.throws(() => selectTasks(table, {}, ["4242"]), /invalid task or pid value: 4242/);
    // -G with a thread named shows its leader, once
    assert.deepEqual(
      selectTasks(table, { groupLeaders: true }, ["103", "sh"]).map((t) => t.pid),
      [100],
    );
  });

  it("-S counts states in order of first appearance", () => {
    assert.deepEqual(stateSummary(table.tasks), ["  RU: 1", "  UN: 2", "  IN: 1"]);
  });
});

describe("mod and runq shapes", () => {
  const module = (name: string, address: bigint, base: bigint, size: number): LoadedModule => ({
    address,
    name,
    state: 0,
    base,
    size,
    textStart: base,
    textEnd: base + 4096n,
    regions: [{ start: base, end: base + BigInt(size) }],
    kallsyms: 0n,
    btfData: 0n,
    btfSize: 0,
  });

  it("sizes NAME and SIZE to the longest, as crash 8.0.6 printed the lab's modules", () => {
    assert.deepEqual(
      formatModTable([
        module("qemu_fw_cfg", 0xffffffffc04622c0n, 0xffffffffc045f000n, 20480),
        module("pvpanic_mmio", 0xffffffffc0467100n, 0xffffffffc0465000n, 16384),
      ]),
      [
        "     MODULE       NAME                BASE         SIZE  OBJECT FILE",
        "ffffffffc04622c0  qemu_fw_cfg   ffffffffc045f000  20480  (not loaded)  [CONFIG_KALLSYMS]",
        "ffffffffc0467100  pvpanic_mmio  ffffffffc0465000  16384  (not loaded)  [CONFIG_KALLSYMS]",
      ],
    );
  });

  it("prints a runqueue block with queued RT and CFS tasks", () => {
    const lines = formatRunqueue(table, {
      cpu: 0,
      rq: 0xffff8bec4f831980n,
      curr: swapper.address,
      rtArray: 0xffff8bec4f831bc0n,
      rt: [{ task: worker.address, prio: 49 }],
      cfsRoot: 0xffff8bec4f831a30n,
      cfs: [],
    });
    assert.deepEqual(lines, [
      "CPU 0 RUNQUEUE: ffff8bec4f831980",
      '  CURRENT: PID: 0      TASK: ffffffff9a21aa40  COMMAND: "swapper/0"',
      "  RT PRIO_ARRAY: ffff8bec4f831bc0",
      '     [ 49] PID: 102    TASK: ffff8bec4284c180  COMMAND: "buggy_worker"',
      "  CFS RB_ROOT: ffff8bec4f831a30",
      "     [no tasks queued]",
    ]);
    const cpu = {
      cpu: 0,
      rq: 0xffff8bec4f831980n,
      curr: sh.address,
      clock: 10_617_260_138n,
      rtArray: 0n,
      rt: [],
      cfsRoot: 0n,
      cfs: [],
    };
    assert.deepEqual(formatTimestamps(table, [cpu]), [
      " CPU 0: 10617260138",
      '        02813411072  PID: 100    TASK: ffff8bec42af20c0  COMMAND: "sh"',
    ]);
    assert.deepEqual(formatRunningTimes(table, [cpu]), [
      ' CPU 0: [0 00:00:07.803]  PID: 100    TASK: ffff8bec42af20c0  COMMAND: "sh"',
    ]);
    assert.deepEqual([...parseCpuSpec("0,2-3", 8)], [0, 2, 3]);
    assert.throws(() => parseCpuSpec("x", 8), /invalid cpu specification/);
  });
});
