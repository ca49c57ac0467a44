/**
 * The `crashlens analyze` command as a user runs it: real files, stdin, and the exit codes and
 * one-line errors of the contract. Most tests run the command line in process; those marked
 * end-to-end spawn the built binary, for what only a real process shows (stdin, pipes, exit).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cli } from "../../test/cli.js";
import { repoRoot, testdata } from "../../test/shared.js";

const bin = join(repoRoot, "bin", "crashlens.js");

const run = (args: string[], stdin?: string) => cli(args, stdin === undefined ? {} : { stdin });

/** end-to-end: the built binary in its own process */
function binary(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("crashlens analyze", () => {
  // a public report (examples/README.md): XFS crashing under a patch set that corrupted memory
  const log = join(repoRoot, "examples", "linux-5.7-xfs-null-deref-postgres.log");

  it("--json prints the documented contract", async () => {
    const { code, stdout } = await run(["analyze", "--json", log]);
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.equal(json.reports.length, 1);
    const report = json.reports[0];
    assert.equal(report.kind, "null-deref");
    assert.equal(
      report.title,
      "BUG: unable to handle kernel NULL pointer dereference in xfs_log_commit_cil",
    );
    assert.deepEqual(report.lines, { start: 1, end: 43 });
    assert.equal(report.ip.symbol, "xfs_log_commit_cil");
    assert.equal(report.ip.offset, 0x356);
    assert.equal(report.ip.module, null);
    assert.equal(report.registers.rax, "0x0");
    assert.equal(report.faultAddress, "0x20");
    assert.deepEqual(report.culprit, {
      symbol: "xfs_log_commit_cil",
      module: null,
      reason: "the crash happened in it",
      line: 8,
    });
    assert.equal(typeof report.trace[0].reliable, "boolean");
    assert.equal(report.trace[0].context, "task");
    assert.equal(json.inputs[0].lines, 43);
  });

  it("reads a file, stdin and `-` alike", async () => {
    // end-to-end: a real stdin
    const fromPath = JSON.parse(binary(["analyze", "--json", log]).stdout).reports;
    const fromStdin = JSON.parse(
      binary(["analyze", "--json"], readFileSync(log, "utf8")).stdout,
    ).reports;
    const fromDash = JSON.parse(
      binary(["analyze", "--json", "-"], readFileSync(log, "utf8")).stdout,
    ).reports;
    assert.deepEqual(fromStdin, fromPath);
    assert.deepEqual(fromDash, fromPath);
  });

  it("names the input of each report when given several", async () => {
    const other = testdata("seeds", "002.txt");
    const json = JSON.parse((await run(["analyze", "--json", log, other])).stdout);
    assert.deepEqual(
      json.reports.map((r: { input: string }) => r.input),
      [log, other],
    );
  });

  it("prints the write-up without colour when not on a terminal", async () => {
    const { code, stdout } = await run(["analyze", log]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^#1 NULL pointer dereference in xfs_log_commit_cil; culprit: xfs_log_commit_cil \(the crash happened in it\)$/m,
    );
    for (const section of [
      "What happened",
      "Evidence",
      "Faulting instruction",
      "Why",
      "Suspects",
      "Next steps",
      "Stack",
    ]) {
      assert.match(stdout, new RegExp(`^${section}`, "m"), section);
    }
    assert.match(
      stdout,
      /\* 2a:\t8b 70 20 {13}\tmov {4}0x20\(%rax\),%esi <-- trapping instruction/,
    );
    assert.match(stdout, /kernel: 5\.7\.0-rc7-andres-00133-gc8707bf69395, not tainted/);
    assert.doesNotMatch(stdout, /\x1b\[/);
  });

  it("reads a pipe named as a file (process substitution, /dev/stdin) as a text stream", async () => {
    // through a shell pipeline, so that /dev/stdin is a real pipe
    const piped = spawnSync(
      "sh",
      ["-c", `cat "$0" | "$1" "$2" analyze --format brief /dev/stdin`, log, process.execPath, bin],
      {
        encoding: "utf8",
      },
    );
    assert.equal(piped.status, 0, piped.stderr);
    assert.match(piped.stdout, /1 crash report\(s\) in 43 lines/);
    assert.match(piped.stdout, /NULL pointer dereference in xfs_log_commit_cil/);
    // Node hands a child a socket, which Linux cannot open by name: a clear error, not a crash
    const socket = binary(["analyze", "/dev/stdin"], "text\n");
    assert.equal(socket.code, 2);
    assert.match(socket.stderr, /cannot read \/dev\/stdin: a socket cannot be opened by name/);
  });

  it("--format markdown escapes text from the log and keeps listings verbatim", async () => {
    // a hostile task name, and a module name in brackets (as when xfs is built as a module)
    const hostile = readFileSync(log, "utf8")
      .replace("Comm: postgres ", "Comm: <img src=x> ")
      .replace("RIP: 0010:xfs_log_commit_cil+0x356/0x7f0", "$& [xfs]");
    const { code, stdout } = await run(["analyze", "--format", "markdown"], hostile);
    assert.equal(code, 0);
    assert.match(stdout, /^### Why$/m);
    assert.match(stdout, /task: "\\<img src=x\\>"/);
    assert.doesNotMatch(stdout.replace(/```[\s\S]*?```/g, ""), /(?<!\\)<img/);
    // crashlens's own emphasis survives; the module name in brackets is escaped
    assert.match(stdout, /^\*\*#1 NULL pointer dereference in xfs_log_commit_cil \\\[xfs\\\]/m);
  });

  it("--format brief prints one short summary per report", async () => {
    const { stdout } = await run(["analyze", "--format", "brief", log]);
    assert.match(
      stdout,
      /#1 BUG: unable to handle kernel NULL pointer dereference in xfs_log_commit_cil/,
    );
    assert.ok(stdout.split("\n").length < 30);
  });

  it("exits 0 and says so when there is no crash", async () => {
    const { code, stdout } = await run(["analyze", "-"], "just a quiet boot\n");
    assert.equal(code, 0);
    assert.match(stdout, /no crash report found/);
  });

  it("works on each seed write-up as it is", async () => {
    const dir = testdata("seeds");
    const seeds = readdirSync(dir).filter((f) => /^00\d\.txt$/.test(f));
    assert.equal(seeds.length, 5);
    for (const seed of seeds) {
      const { code, stdout } = await run(["analyze", "--json", join(dir, seed)]);
      assert.equal(code, 0, seed);
      assert.ok(JSON.parse(stdout).reports.length >= 1, seed);
    }
  });

  it("exits 2 with one line on stderr for a missing file", async () => {
    // end-to-end: the process's exit code and its whole stderr
    const { code, stderr, stdout } = binary(["analyze", "/no/such/file.log"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr.trim().split("\n").length, 1);
    assert.match(stderr, /^crashlens: cannot read \/no\/such\/file\.log: no such file/);
  });

  it("exits 2 for usage errors", async () => {
    assert.equal((await run(["analyze", "--format", "yaml", log])).code, 2);
    assert.equal((await run(["analyze", "--no-such-option"])).code, 2);
    assert.equal((await run(["no-such-command"])).code, 2);
    const both = await run(["analyze", "--json", "--format", "brief", log]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--json and --format brief ask for two outputs/);
    assert.equal((await run(["analyze", "--json", "--format", "json", log])).code, 0);
  });
});
