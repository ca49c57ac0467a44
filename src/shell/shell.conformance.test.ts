/**
 * The shell against crash 8.0.6 on the lab's dumps (`../shared/lab`): every `sys` field but
 * KERNEL and DUMPFILE (the paths differ) is equal — DATE, UPTIME, LOAD AVERAGE, TASKS and
 * MEMORY read from the dump with kallsyms and BTF, CPUS with those offline, MACHINE with the
 * CPU speed — `sym` names every frame
 * address of crash's backtraces as crash did (modules included), and `log` prints exactly
 * the log crash printed. crash ran with the debug vmlinux; crashlens reads no debuginfo.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../test/shared.js";
import { labDumps } from "../../test/writers/lab.js";
import { Kernel } from "../kernel/kernel.js";
import { ShellSession } from "./session.js";

const FIELDS = [
  "CPUS",
  "UPTIME",
  "LOAD AVERAGE",
  "NODENAME",
  "RELEASE",
  "VERSION",
  "MACHINE",
  "PANIC",
];

/** crash's session text: the sys block's fields and the log it printed */
function crashOutput(text: string): { sys: Map<string, string>; log: string; text: string } {
  const lines = text.split("\n");
  const sys = new Map<string, string>();
  const start = lines.findIndex((l) => /^ {6}KERNEL: /.test(l));
  for (let i = start; i < lines.length; i++) {
    const m = /^ *([A-Z][A-Z ]*): (.*)$/.exec(lines[i] as string);
    if (m === null) break;
    sys.set(m[1] as string, m[2] as string);
    if (m[1] === "PANIC") break;
  }
  const from = lines.findIndex((l) => l.startsWith("[    0.000000] Linux version"));
  const to = lines.findIndex((l, i) => i > from && l.startsWith("PID: "));
  return { sys, log: `${lines.slice(from, to).join("\n")}\n`, text };
}

const runs = ["nullread", "hung", "softlockup", "bugon"];

describe("shell vs crash 8.0.6 on the lab dumps", () => {
  for (const run of runs) {
    it(`${run}: sys fields and log are crash's`, async () => {
      const dump = join(labDumps(), `${run}.kdump-zlib`);
      const peer = shared("lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt");
      assert.ok(existsSync(dump) && existsSync(peer), `${dump} and ${peer}`);
      const crash = crashOutput(readFileSync(peer, "latin1"));
      const kernel = await Kernel.open(dump);
      try {
        const session = new ShellSession(kernel, { files: { dump } });
        const sys = await session.run("sys");
        assert.equal(sys.errors, "");
        const ours = crashOutput(sys.output).sys;
        // the paths differ; crash's notes after them must not
        for (const field of ["KERNEL", "DUMPFILE"]) {
          const note = (value: string | undefined) => /( {2}\[[A-Z ]+\])?$/.exec(value ?? "")?.[0];
          assert.equal(note(ours.get(field)), note(crash.sys.get(field)), `${run}: ${field}`);
        }
        for (const field of FIELDS) {
          assert.ok(crash.sys.has(field), `crash printed ${field}`);
          assert.equal(ours.get(field), crash.sys.get(field), `${run}: ${field}`);
        }
        // every frame crash's first backtrace names is the symbol `sym` finds at its address
        // (module frames included, from the modules' own kallsyms)
        const frames = [
          ...crash.text.matchAll(/^ ?#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]+)( \[(\S+)\])?$/gm),
        ];
        assert.ok(frames.length >= 5, `${run}: crash's frames`);
        for (const [, name, address, , module] of frames) {
          const sym = (await session.run(`sym ${address}`)).output;
          const expected = new RegExp(
            `^${address} \\([tTwW]\\) ${name?.replace(/\./g, "\\.")}\\+\\d+${module === undefined ? "" : ` \\[${module}\\]`}\n$`,
          );
          assert.match(sym, expected, `${run}: frame at ${address}`);
        }
        // -T: the same records, the last stamped with the crash's wall-clock time
        const human = (await session.run("log -T")).output.split("\n");
        assert.match(human.at(-2) as string, /^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] ./);
        assert.equal(
          human.at(-2)?.slice(1, 25),
          ours.get("DATE")?.replace(" UTC", "").slice(0, 24),
        );
        // the module list crash printed (`mod`), each with symbols from its own kallsyms
        for (const [, module] of crash.text.matchAll(
          /^[0-9a-f]{16} {2}(\S+) +[0-9a-f]{16} +\d+ /gm,
        )) {
          const symbols = await session.run(`sym -m ${module}`);
          assert.equal(symbols.ok, true, `${run}: sym -m ${module}: ${symbols.errors}`);
          for (const line of symbols.output.trimEnd().split("\n"))
            assert.match(line, new RegExp(`^[0-9a-f]{16} \\(\\w\\) \\S+ \\[${module}\\]$`));
        }
        const log = await session.run("log");
        assert.equal(log.errors, "");
        assert.ok(crash.log.length > 10_000, "crash's log was found in its output");
        assert.equal(log.output, crash.log);
      } finally {
        await kernel.close();
      }
    });
  }
});

describe("type completion from the lab dump's BTF", () => {
  it("completes struct names", async () => {
    const { btfTypeCompleter, complete } = await import("./completer.js");
    const kernel = await Kernel.open(join(labDumps(), "nullread.kdump-zlib"));
    try {
      const session = new ShellSession(kernel, { files: { dump: "vmcore" } });
      const types = btfTypeCompleter(kernel);
      const [names] = await complete(session, "struct task_str", types);
      assert.ok(names.includes("task_struct"), names.join(" "));
      assert.ok(names.every((n) => n.startsWith("task_str")));
    } finally {
      await kernel.close();
    }
  });
});
