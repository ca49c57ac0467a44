/**
 * The shell on dumps that lack what it needs: a real dump pruned to kallsyms and the log
 * (no BTF pages), and the pruned hung dump cut in half. Each command answers or says what is
 * missing in one line, the session goes on, and nothing hangs or throws out of it.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { testdata } from "../../test/shared.js";
import { Kernel } from "../kernel/kernel.js";
import { ShellSession } from "./session.js";

const COMMANDS = [
  "sys",
  "ps",
  "bt",
  "bt -a",
  "foreach UN bt",
  "mod",
  "struct -o task_struct",
  "kmem -s",
  "runq",
  "sym schedule",
  "log",
];

async function runAll(path: string) {
  const kernel = await Kernel.open(path);
  const session = new ShellSession(kernel, { files: { dump: path } });
  const results = new Map<string, { output: string; errors: string }>();
  try {
    for (const command of COMMANDS) results.set(command, await session.run(command));
  } finally {
    await kernel.close();
  }
  return results;
}

describe("shell: dumps that lack what a command needs", () => {
  const dir = mkdtempSync(join(tmpdir(), "crashlens-shell-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("no BTF in the dump: typed commands say BTF is unreadable; symbols and the log still work", async () => {
    const results = await runAll(testdata("dumps", "nullread-info.kdump-zlib"));
    for (const command of ["ps", "bt", "foreach UN bt", "struct -o task_struct"]) {
      const r = results.get(command) as { errors: string };
      assert.match(r.errors, /BTF .*not readable from the dump/, command);
      assert.equal(r.errors.trim().split("\n").length, 1, `${command}: one line`);
    }
    assert.match(results.get("sym schedule")?.output ?? "", /^[0-9a-f]{16} \(T\) schedule$/m);
    assert.match(
      results.get("log")?.output ?? "",
      /BUG: kernel NULL pointer dereference, address: 0000000000000140/,
    );
    assert.match(results.get("sys")?.output ?? "", /RELEASE: 6\.1\.0-56-cloud-amd64/);
  });

  it("a dump cut in half: every command returns, each failure names what it could not read", async () => {
    const cut = join(dir, "half.kdump-zlib");
    const whole = testdata("dumps", "hung-shell.kdump-zlib");
    copyFileSync(whole, cut);
    truncateSync(cut, Math.floor(statSync(whole).size / 2));
    const results = await runAll(cut);
    assert.equal(results.size, COMMANDS.length);
    let failed = 0;
    for (const [command, r] of results) {
      if (r.errors === "") continue;
      failed++;
      assert.doesNotMatch(
        r.errors,
        /TypeError|RangeError|at .*\.js:\d+/,
        `${command}: no raw exception`,
      );
      assert.match(
        r.errors,
        /past the end|not in the dump|truncated|not readable|cannot|unknown/i,
        command,
      );
    }
    assert.ok(failed > 0, "half a dump cannot answer everything");
    assert.match(results.get("sym schedule")?.output ?? "", /\(T\) schedule$/m);
  });
});
