/**
 * crash's task order (pid, the pid-0 idle tasks by CPU), the foreach filters and the
 * task-identifying arguments, on a hand-made table.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareTasks, filterTasks, findTasks } from "./select.js";
import type { Task, TaskTable } from "./tasks.js";

function task(pid: number, address: bigint, comm: string, more: Partial<Task> = {}): Task {
  return {
    address,
    pid,
    tgid: pid,
    ppid: 0,
    parent: 0n,
    cpu: 0,
    state: 0,
    exitState: 0,
    stateName: "RU",
    comm,
    flags: 0,
    mm: 0n,
    kernelThread: false,
    active: false,
    idle: false,
    ...more,
  };
}

const tasks = [
  task(100, 0x3000n, "sh", { stateName: "UN", mm: 0x10n }),
  task(0, 0x2000n, "swapper/1", { cpu: 1, kernelThread: true, idle: true, active: true }),
  task(102, 0x4000n, "buggy_worker", { stateName: "UN", kernelThread: true }),
  task(0, 0x1000n, "swapper/0", { cpu: 0, kernelThread: true, idle: true }),
  task(101, 0x5000n, "sh", { stateName: "ID", tgid: 100, mm: 0x10n }),
];

describe("task order and filters", () => {
  it("sorts by pid and the idle tasks by CPU, as crash's sort_by_pid", () => {
    const sorted = [...tasks].sort(compareTasks);
    assert.deepEqual(
      sorted.map((t) => `${t.pid}/${t.cpu}`),
      ["0/0", "0/1", "100/0", "101/0", "102/0"],
    );
  });

  it("keeps what foreach's state, kernel, user, gleader and active keywords keep", () => {
    const pids = (f: Parameters<typeof filterTasks>[1]) =>
      filterTasks(tasks, f).map((t) => t.address);
    assert.deepEqual(pids({ state: "UN" }), [0x3000n, 0x4000n]);
    assert.deepEqual(pids({ state: "ID" }), [0x5000n]);
    assert.deepEqual(pids({ state: "UN", kind: "user" }), [0x3000n]);
    assert.deepEqual(pids({ kind: "kernel" }), [0x2000n, 0x4000n, 0x1000n]);
    assert.deepEqual(pids({ groupLeaders: true }), [0x3000n]);
    assert.deepEqual(pids({ active: true }), [0x2000n]);
  });

  it("finds tasks by pid, address and command", () => {
    const table = { tasks, byAddress: new Map(tasks.map((t) => [t.address, t])) } as TaskTable;
    assert.deepEqual(
      findTasks(table, "0").map((t) => t.address),
      [0x2000n, 0x1000n],
    );
    assert.deepEqual(
      findTasks(table, "0x4000").map((t) => t.pid),
      [102],
    );
    assert.deepEqual(
      findTasks(table, "4000").map((t) => t.pid),
      [102],
    );
    assert.deepEqual(
      findTasks(table, "sh").map((t) => t.pid),
      [100, 101],
    );
    assert.deepEqual(findTasks(table, "nosuch"), []);
  });
});
