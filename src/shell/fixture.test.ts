/**
 * The shell on the committed pruned dump (testdata/dumps/hung-shell.kdump-zlib: the lab's
 * real hung dump cut to the pages `crashlens extract --for shell` records, 3 MB), with no
 * vmlinux, against what crash 8.0.6 printed on the whole dump with the DWARF vmlinux
 * (testdata/dumps/hung-shell.crash.txt). Needs nothing but the clone.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { Kernel } from "../kernel/kernel.js";
import { openDump } from "../open-dump.js";
import { ShellSession } from "./session.js";

const FIXTURE = testdata("dumps", "hung-shell.kdump-zlib");

/** the `## name` sections of crash's output */
function crashSections(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of readFileSync(testdata("dumps", "hung-shell.crash.txt"), "latin1").split(
    "\n",
  )) {
    if (line.startsWith("# ")) continue;
    if (line.startsWith("## ")) {
      current = [];
      sections.set(line.slice(3), current);
    } else current?.push(line);
  }
  for (const lines of sections.values()) while (lines.at(-1) === "") lines.pop();
  return sections;
}

describe("the shell on the pruned hung dump, against crash 8.0.6", () => {
  const crash = crashSections();
  let kernel: Kernel;
  let session: ShellSession;
  const sh = async (line: string) => {
    const result = await session.run(line);
    assert.equal(result.errors, "", `${line}: ${result.errors}`);
    return result.output.replace(/\n+$/, "").split("\n");
  };
  before(async () => {
    kernel = await Kernel.open(FIXTURE);
    session = new ShellSession(kernel, { files: { dump: FIXTURE } });
  });
  after(() => kernel.close());

  it("sys: every field crash reads from the dump", async () => {
    const field = (lines: readonly string[], key: string) =>
      lines.find((l) => l.trimStart().startsWith(`${key}:`))?.replace(/^\s*[A-Z ]+:\s*/, "");
    const ours = await sh("sys");
    const theirs = crash.get("sys") as string[];
    for (const key of [
      "CPUS",
      "DATE",
      "UPTIME",
      "LOAD AVERAGE",
      "TASKS",
      "NODENAME",
      "RELEASE",
      "VERSION",
      "MACHINE",
      "MEMORY",
      "PANIC",
    ])
      assert.equal(field(ours, key), field(theirs, key), key);
  });

  it("ps: every row, every column", async () => {
    assert.deepEqual(await sh("ps"), crash.get("ps"));
  });

  it("foreach UN bt: the two blocked tasks' stacks, line for line", async () => {
    assert.deepEqual(await sh("foreach UN bt"), crash.get("foreach UN bt"));
  });

  it("mod: the module table", async () => {
    assert.deepEqual(await sh("mod"), crash.get("mod"));
  });

  it("bt: crash's frames for the panic task, after the two pvpanic frames crash does not show", async () => {
    const ours = await sh("bt");
    assert.equal(ours[0], 'PID: 28       TASK: ffff8bec4133c180  CPU: 1    COMMAND: "khungtaskd"');
    assert.deepEqual(
      ours.slice(3).map((l) => l.replace(/^ ?#\d+ /, "")),
      [
        "[ffffce0bc00f7e38] panic at ffffffff991cd0a8",
        "[ffffce0bc00f7eb8] watchdog.cold at ffffffff991d773d",
        "[ffffce0bc00f7f18] kthread at ffffffff988bfbfa",
        "[ffffce0bc00f7f50] ret_from_fork at ffffffff988032f2",
      ],
    );
    assert.match(ours[1] as string, /pvpanic_panic_notify at ffffffffc046a230 \[pvpanic\]$/);
  });

  it("struct, p and whatis: values and layouts typed by the dump's BTF", async () => {
    assert.deepEqual(await sh("struct task_struct.pid,comm ffff8bec42af20c0"), [
      "  pid = 100,",
      // 16 bytes: "sh", 13 NULs, and the terminator gdb leaves implicit
      `  comm = "sh${"\\000".repeat(13)}",`,
    ]);
    assert.deepEqual(await sh("p ((struct task_struct *) 0xffff8bec4284c180)->pid"), ["$1 = 102"]);
    const layout = await sh("struct -o timer_list");
    assert.ok(layout.includes("  [24] void (*function)(struct timer_list *);"), layout.join("\n"));
    assert.equal(layout.at(-1), "SIZE: 40");
    assert.deepEqual(await sh("whatis schedule_timeout"), ["long int schedule_timeout(long int);"]);
  });

  it("set PID makes bt act on that task; set -p goes back to the panic task", async () => {
    assert.deepEqual((await sh("set 102")).slice(0, 2), [
      "    PID: 102",
      'COMMAND: "buggy_worker"',
    ]);
    assert.match((await sh("bt"))[0] as string, /^PID: 102 /);
    assert.deepEqual((await sh("set -p")).at(-1), "  STATE: TASK_RUNNING (PANIC) ");
    assert.match((await sh("bt"))[0] as string, /^PID: 28 /);
  });

  it("a page the pruned dump does not hold is an error naming it, and the session goes on", async () => {
    const result = await session.run("rd ffff8bec40000000");
    assert.match(result.errors, /rd: .*ffff8bec40000000/);
    assert.equal((await session.run("sym ffffffff991cd0a8")).errors, "");
  });

  it("the typed API gives the same stack as data", async () => {
    const dump = await openDump(FIXTURE);
    try {
      const trace = await dump.bt(102);
      assert.equal(trace.task.comm, "buggy_worker");
      assert.equal(trace.start, "thread.sp");
      assert.deepEqual(
        trace.frames.map((f) => `${f.symbol?.name}${f.module ? ` [${f.module}]` : ""}`),
        [
          "__schedule",
          "schedule",
          "schedule_timeout",
          "__wait_for_common",
          "buggy_worker_fn [buggy]",
          "kthread",
          "ret_from_fork",
        ],
      );
      assert.equal(trace.stop.kind, "end-of-stack");
      const slab = await dump.kmem(trace.task.address + 64n);
      assert.equal(slab?.cache.name, "task_struct");
      assert.equal(slab?.object?.start, trace.task.address);
      assert.equal(slab?.state, "allocated");
    } finally {
      await dump.close();
    }
  });
});
