/**
 * `ps` and `mod` typed at the shell on each lab dump must print, line for line and byte for
 * byte, the tables crash 8.0.6 printed on the same memory with the full debuginfo vmlinux.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { shared } from "../../../test/shared.js";
import { labDumps } from "../../../test/writers/lab.js";
import { Kernel } from "../../kernel/kernel.js";
import { ShellSession } from "../session.js";
import { sysMemoryBytes, sysTasks } from "./ps.js";

const runs = ["hung", "nullread", "bugon", "softlockup"];

/** the block of lines starting at the first line that starts with `header`, while `row` matches */
function crashTable(text: string, header: string, row: RegExp): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `crash printed ${header.trim()}`);
  const out = [lines[start] as string];
  for (const line of lines.slice(start + 1)) {
    if (!row.test(line)) break;
    out.push(line);
  }
  return out;
}

describe("ps and mod print crash 8.0.6's tables", () => {
  for (const run of runs)
    it(`${run}: ps and mod, byte for byte`, async (t) => {
      const kernel = await Kernel.open(join(labDumps(), `${run}.kdump-zlib`));
      try {
        const crash = readFileSync(
          shared("lab", "runs", run, "peers", "crash-8.0.6.kdump-zlib.txt"),
          "latin1",
        );
        const session = new ShellSession(kernel, { files: { dump: run } });
        const ps = await session.run("ps");
        assert.equal(ps.ok, true, ps.errors);
        const expectedPs = crashTable(
          crash,
          "      PID    PPID",
          /^[> ] +\d+ +\d+ +\d+ +[0-9a-f]{16} /,
        );
        const oursPs = ps.output.trimEnd().split("\n");
        const equalPs = oursPs.filter((line, i) => line === expectedPs[i]).length;
        const mod = await session.run("mod");
        assert.equal(mod.ok, true, mod.errors);
        const expectedMod = crashTable(
          crash,
          "     MODULE       NAME",
          /\(not loaded\) {2}\[CONFIG_KALLSYMS\]$/,
        );
        const oursMod = mod.output.trimEnd().split("\n");
        const equalMod = oursMod.filter((line, i) => line === expectedMod[i]).length;
        t.diagnostic(
          `${run}: ps ${expectedPs.length - 1} rows, ${equalPs - 1} identical; mod ${expectedMod.length - 1} rows, ${equalMod - 1} identical`,
        );
        assert.deepEqual(oursPs, expectedPs);
        // sys: TASKS and MEMORY as crash printed them
        const input = { kernel, log: async () => [] };
        const tasks = /^ {7}TASKS: (\d+)$/m.exec(crash)?.[1];
        assert.equal(String(await sysTasks(input)), tasks);
        const memory = /^ {6}MEMORY: ([\d.]+) MB$/m.exec(crash)?.[1];
        const bytes = (await sysMemoryBytes(input)) as bigint;
        assert.equal((Number(bytes) / 2 ** 20).toFixed(1), memory);
        assert.deepEqual(oursMod, expectedMod);
      } finally {
        await kernel.close();
      }
    });
});
