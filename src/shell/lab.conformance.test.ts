/**
 * The shell on the lab's real dumps with no vmlinux, against what crash 8.0.6 printed on the
 * same memory with the 590 MB DWARF vmlinux (../shared/lab/runs/<run>/peers/): `sys`, the
 * panic task's `bt`, `foreach UN bt`, `mod`. Where crash fails (`bt -a` on the CPU that QEMU
 * stopped in its IRQ stack: "bt: read of stack at fffffe0000014000 failed"), crashlens must
 * unwind to the stack's end, and this test says so.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { labDumps } from "../../test/writers/lab.js";
import { Kernel } from "../kernel/kernel.js";
import { ShellSession } from "./session.js";

const lab = labDumps();
const RUNS = ["hung", "nullread", "bugon", "softlockup"] as const;

/** crash's output split into its `sys` block, `bt` blocks (by pid, in order) and `mod` table */
function parseCrash(text: string) {
  const lines = text.split("\n");
  const sys = new Map<string, string>();
  for (const line of lines) {
    if (line.startsWith("[")) break;
    const m = /^\s*([A-Z ]+):\s(.*)$/.exec(line);
    if (m) sys.set((m[1] as string).trim(), (m[2] as string).trim());
  }
  const blocks: { header: string; lines: string[] }[] = [];
  let current: { header: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (/^PID: \d+ +TASK: /.test(line)) {
      current = { header: line, lines: [line] };
      blocks.push(current);
    } else if (current && /^( ?#\d+ | {4}[A-Z[]|--- <)/.test(line)) current.lines.push(line);
    else current = undefined;
  }
  const modAt = lines.findIndex((l) => l.startsWith("     MODULE       NAME"));
  const mod: string[] = [];
  for (let i = modAt; modAt >= 0 && i < lines.length && (lines[i] as string).trim() !== ""; i++) {
    if (i > modAt && (lines[i] as string).startsWith("     MODULE")) break;
    mod.push(lines[i] as string);
  }
  return { sys, blocks, mod };
}

const frameNames = (block: readonly string[]) =>
  block.flatMap((l) => {
    const m = /^ ?#\d+ \[[0-9a-f]+\] (?:\? )?(\S+) at ([0-9a-f]+)/.exec(l);
    return m ? [`${m[1]}@${m[2]}`] : [];
  });

for (const run of RUNS) {
  describe(`shell on the lab's ${run} dump, against crash 8.0.6`, () => {
    let kernel: Kernel;
    let session: ShellSession;
    let crash: ReturnType<typeof parseCrash>;
    const sh = async (line: string) => {
      const result = await session.run(line);
      assert.equal(result.errors, "", `${line}: ${result.errors}`);
      return result.output;
    };
    before(async () => {
      kernel = await Kernel.open(join(lab, `${run}.kdump-zlib`));
      session = new ShellSession(kernel, { files: { dump: `${run}.kdump-zlib` } });
      crash = parseCrash(
        await readFile(
          join(lab, "..", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"),
          "latin1",
        ),
      );
    });
    after(() => kernel.close());

    it("sys: the fields crash computes from the dump are equal", async () => {
      const ours = parseCrash(await sh("sys")).sys;
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
        assert.equal(ours.get(key), crash.sys.get(key), key);
    });

    it("bt: the panic task's header is crash's and crash's frames are ours, in order, at the same addresses", async () => {
      const ours = (await sh("bt")).split("\n");
      const theirs = crash.blocks[0] as { header: string; lines: string[] };
      assert.equal(ours[0], theirs.header);
      const mine = frameNames(ours);
      let at = 0;
      for (const frame of frameNames(theirs.lines)) {
        const found = mine.indexOf(frame, at);
        assert.ok(
          found >= 0,
          `crash's frame ${frame} is missing or out of order in:\n${ours.join("\n")}`,
        );
        at = found + 1;
      }
      // ours start where QEMU stopped the CPU, inside the pvpanic notifier crash skips
      assert.match(ours[1] as string, /pvpanic_panic_notify at [0-9a-f]+ \[pvpanic\]$/);
    });

    it("bt -a: the other CPU, where crash fails, unwinds to its stack's end", async () => {
      const text = await sh("bt -a");
      const blocks = text.split("\n\n");
      assert.equal(blocks.length, 2);
      const other = blocks.find((b) => /COMMAND: "swapper\/\d"/.test(b)) as string;
      assert.ok(other, text);
      assert.match(other, /stop_this_cpu at /);
      assert.match(other, /--- <IRQ stack> ---/);
      assert.match(other, /\[exception RIP: native_safe_halt\+11\]/);
      assert.match(
        other.trimEnd(),
        /(secondary_startup_64_no_verify|start_secondary|kthread|ret_from_fork) at [0-9a-f]+$/,
      );
      assert.doesNotMatch(other, /bt: /);
      // crash: "bt: read of stack at fffffe0000014000 failed" (or no stack at all) for this CPU
      const crashText = await readFile(
        join(lab, "..", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"),
        "latin1",
      );
      assert.match(crashText, /bt: (read of stack at [0-9a-f]+ failed|invalid size request)/);
    });

    it("mod: crash's table, row for row", async () => {
      assert.deepEqual((await sh("mod")).trimEnd().split("\n"), crash.mod);
    });

    if (run === "hung")
      it("foreach UN bt: both blocked tasks' stacks equal crash's, line for line", async () => {
        const ours = (await sh("foreach UN bt")).trimEnd().split("\n\n");
        const theirs = crash.blocks.filter((b) => /PID: (100|102) /.test(b.header));
        assert.equal(ours.length, 2);
        assert.deepEqual(
          ours.map((b) => b.split("\n")),
          theirs.slice(0, 2).map((b) => b.lines),
        );
      });
  });
}
