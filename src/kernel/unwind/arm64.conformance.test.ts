/**
 * The shell on the arm64 lab's dumps (Debian 6.1.0-56-cloud-arm64, QEMU virt, KASLR, PAC,
 * kallsyms without data symbols), against crash 8.0.6 built for ARM64 and the serial console:
 * every sleeping task's `bt` is crash's frame for frame (names, slots, addresses; crash stops
 * at `kthread` by name, the kernel and crashlens go on to `ret_from_fork`); the panic CPU's
 * stack, which crash cannot unwind (no NT_PRSTATUS it accepts), reaches the exception and the
 * module frames the console's Call trace shows; `ps` rows are crash's but for %MEM; `sys`
 * fields; `mod`; `dis` decodes arm64. BTF, init_task, per-CPU offsets and the module list are
 * found by kernel/locate, which Kernel.symbols() and Kernel.btf() call.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import { ShellSession } from "../../shell/session.js";
import { Kernel } from "../kernel.js";

const lab = () => shared("lab", "arm64");

interface CrashBt {
  header: string;
  frames: string[];
  /** the lines after the frames (an exception frame's registers) */
  rest: string[];
}

/** crash's `bt` blocks: a `PID:` header, then `#N [slot] name at addr [module]` lines */
function crashBacktraces(text: string): CrashBt[] {
  const out: CrashBt[] = [];
  let current: CrashBt | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("PID: ")) {
      current = { header: line, frames: [], rest: [] };
      out.push(current);
    } else if (current && /^ ?#\d+ \[/.test(line)) current.frames.push(line);
    else if (current && current.frames.length > 0 && /^ +(?:PC|LR|SP|X\d+|ORIG_X0): /.test(line))
      current.rest.push(line);
    else current = undefined;
  }
  return out.filter((b) => b.frames.length > 0);
}

/** crash's `ps` rows */
const psRows = (text: string) =>
  text.split("\n").filter((l) => /^[> ] +\d+ +\d+ +\d+ +[0-9a-f]{16} +[A-Z]{2} /.test(l));

/** the function names of a kernel Call trace (the console's), after `after` */
function callTrace(serial: string, after: string): string[] {
  const lines = serial.split("\n");
  const start = lines.findIndex((l) => l.includes(after));
  const trace = lines.findIndex((l, i) => i > start && l.includes("Call trace:"));
  const names: string[] = [];
  for (const line of lines.slice(trace + 1)) {
    const m = /^\[[ \d.]+\] {2}(\S+)\+0x/.exec(line);
    if (m === null) break;
    names.push(m[1] as string);
  }
  return names;
}

const frameNames = (lines: readonly string[]) =>
  lines.map((l) => /^ ?#\d+ \[[0-9a-f]+\] (?:\? )?(\S+)/.exec(l)?.[1]).filter(Boolean);

/** the names in `sub`, in order, within `all` */
function inOrder(all: readonly (string | undefined)[], sub: readonly string[]): string | undefined {
  let at = 0;
  for (const name of sub) {
    const found = all.indexOf(name, at);
    if (found < 0) return name;
    at = found + 1;
  }
  return undefined;
}

for (const run of ["hung", "nullread"] as const) {
  describe(`arm64 shell on the lab's ${run} dump, against crash (ARM64 build) and the console`, () => {
    let kernel: Kernel;
    let session: ShellSession;
    let crash: string;
    let serial: string;
    const sh = async (line: string) => (await session.run(line)).output;
    before(async () => {
      kernel = await Kernel.open(join(lab(), "dumps", `${run}.kdump-zlib`));
      session = new ShellSession(kernel, { files: { dump: `${run}.kdump-zlib` } });
      crash = await readFile(
        join(lab(), "runs", run, "peers", "crash-arm64.kdump-zlib.txt"),
        "latin1",
      );
      serial = await readFile(join(lab(), "runs", run, "serial.txt"), "latin1");
    });
    after(() => kernel.close());

    it("bt of every task crash unwound: crash's frames, slots and addresses, its registers", async () => {
      const blocks = crashBacktraces(crash);
      if (run === "hung") assert.equal(blocks.length, 2, "crash unwound sh and buggy_worker");
      for (const theirs of blocks) {
        const task = /TASK: ([0-9a-f]+)/.exec(theirs.header)?.[1] as string;
        const ours = (await sh(`bt ${task}`)).split("\n");
        assert.equal(ours[0], theirs.header);
        const frames = ours.filter((l) => /^ ?#\d+ \[/.test(l));
        assert.deepEqual(frames.slice(0, theirs.frames.length), theirs.frames);
        // crash stops at kthread by name; the kernel's trace (and ours) end at ret_from_fork
        const extra = frameNames(frames.slice(theirs.frames.length));
        assert.ok(
          extra.length === 0 || (extra.length === 1 && extra[0] === "ret_from_fork"),
          `${extra}`,
        );
        const registers = ours.filter((l) => /^ {4}/.test(l));
        assert.deepEqual(registers, theirs.rest, "the user-mode registers crash prints");
      }
    });

    it("bt of the panic task, which crash cannot unwind, reaches the console's Call trace", async () => {
      const ours = (await sh("bt")).split("\n");
      const names = frameNames(ours);
      // QEMU stopped the CPU in the lab's pvpanic notifier, under panic()
      assert.match(ours[1] as string, /lab_pvpanic_notify at [0-9a-f]{16} \[lab_pvpanic\]$/);
      assert.ok(names.includes("panic"));
      if (run === "hung") {
        assert.match(
          ours[0] as string,
          /^PID: 28 +TASK: ffff00000225e180 +CPU: 1 +COMMAND: "khungtaskd"$/,
        );
        const trace = callTrace(serial, "Kernel panic - not syncing");
        const missing = inOrder(names, trace.slice(trace.indexOf("panic")));
        assert.equal(missing, undefined, `${missing} is missing from:\n${ours.join("\n")}`);
      } else {
        assert.match(
          ours[0] as string,
          /^PID: 102 +TASK: ffff0000031ba080 +CPU: 0 +COMMAND: "sh"$/,
        );
        // through die() and the EL1 data abort to the faulting module function and its callers
        const trace = callTrace(serial, "Internal error: Oops");
        const missing = inOrder(names, ["panic", "die", "el1h_64_sync", ...trace]);
        assert.equal(missing, undefined, `${missing} is missing from:\n${ours.join("\n")}`);
        const text = ours.join("\n");
        assert.match(
          text,
          /#\d+ \[[0-9a-f]+\] el1h_64_sync at [0-9a-f]+\n {5}PC: ffffaf2d7f93504c {2}\[buggy_read_status\+8\]\n {5}LR: ffffaf2d7f9351f0 {2}\[buggy_do_nullread\+32\]\n {5}SP: ffff8000082239c0 {2}PSTATE: 60400005/,
        );
        assert.match(text, /#\d+ \[[0-9a-f]+\] buggy_read_status at ffffaf2d7f93504c \[buggy\]\n/);
        assert.match(
          ours[ours.length - 2] as string,
          /ORIG_X0: 0000000000000001 {2}SYSCALLNO: 40 {2}PSTATE: 40001000$/,
        );
      }
    });

    it("bt -a: both CPUs unwind from their registers, the idle one through its IRQ stack", async () => {
      const text = await sh("bt -a");
      assert.doesNotMatch(text, /bt: /, text);
      assert.match(
        text,
        /gic_handle_irq at [0-9a-f]+\n--- <IRQ stack> ---\n #\d+ \[[0-9a-f]+\] call_on_irq_stack/,
      );
      assert.match(text, /el1h_64_irq at [0-9a-f]+\n {5}PC: [0-9a-f]{16} {2}\[arch_cpu_idle\+24\]/);
      assert.match(text, /(?:__primary_switched|__secondary_switched) at [0-9a-f]+\n/);
    });

    it("ps: crash's rows, but for %MEM (crash divides by 4x the node's present pages here)", async () => {
      const mask = (rows: string[]) => rows.map((r) => `${r.slice(0, 45)}${r.slice(50)}`);
      const theirs = psRows(crash);
      const ours = psRows(await sh("ps"));
      assert.ok(theirs.length > 50);
      assert.deepEqual(mask(ours), mask(theirs));
    });

    it("sys: the fields read from the dump are crash's", async () => {
      const field = (text: string, key: string) =>
        new RegExp(`^ *${key}: (.*)$`, "m").exec(text)?.[1];
      const ours = await sh("sys");
      for (const key of [
        "DATE",
        "TASKS",
        "NODENAME",
        "RELEASE",
        "VERSION",
        "MACHINE",
        "MEMORY",
        "PANIC",
      ])
        assert.equal(field(ours, key), field(crash, key), key);
    });

    it("mod: crash's rows (name, struct module, base, size)", async () => {
      const rows = (text: string) =>
        text
          .split("\n")
          .filter((l) => /^[0-9a-f]{16} {2}\S+ +[0-9a-f]{16} +\d+ /.test(l))
          .map((l) => l.split(/ +/).slice(0, 4).join(" "));
      const theirs = [...new Set(rows(crash))];
      assert.deepEqual(rows(await sh("mod")), theirs.slice(0, 3));
    });

    it("dis: arm64 instructions from the dump, branch targets named", async () => {
      const text = await sh("dis buggy_do_nullread");
      assert.match(text, /<buggy_do_nullread\+4>:\tnop/);
      assert.match(text, /\tbl +0x[0-9a-f]+ <buggy_read_status>\n/);
      assert.match(
        await sh("dis buggy_read_status"),
        /<buggy_read_status\+8>:\tldr +x0, \[x0, #320\]/,
      );
    });
  });
}
