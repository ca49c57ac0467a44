/**
 * The `crashlens analyze` command as a user runs it: the built binary, real files, stdin,
 * and the exit codes and one-line errors of the contract.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot, testdata } from "../../test/shared.js";

const bin = join(repoRoot, "bin", "crashlens.js");

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("crashlens analyze", () => {
  const log = join(repoRoot, "examples", "debian-6.1-null-deref-console.log");

  it("--json prints the documented contract", () => {
    const { code, stdout } = run(["analyze", "--json", log]);
    assert.equal(code, 0);
    const json = JSON.parse(stdout);
    assert.equal(json.reports.length, 1);
    const report = json.reports[0];
    assert.equal(report.kind, "null-deref");
    assert.equal(
      report.title,
      "BUG: unable to handle kernel NULL pointer dereference in buggy_read_status",
    );
    assert.deepEqual(report.lines, { start: 352, end: 411 });
    assert.equal(report.ip.symbol, "buggy_read_status");
    assert.equal(report.ip.offset, 5);
    assert.equal(report.ip.module, "buggy");
    assert.equal(report.registers.rdi, "0x0");
    assert.equal(typeof report.trace[0].reliable, "boolean");
    assert.equal(report.trace[0].context, "task");
    assert.equal(json.inputs[0].lines, 411);
  });

  it("reads a file, stdin and `-` alike", () => {
    const fromPath = JSON.parse(run(["analyze", "--json", log]).stdout).reports;
    const fromStdin = JSON.parse(
      run(["analyze", "--json"], readFileSync(log, "utf8")).stdout,
    ).reports;
    const fromDash = JSON.parse(
      run(["analyze", "--json", "-"], readFileSync(log, "utf8")).stdout,
    ).reports;
    assert.deepEqual(fromStdin, fromPath);
    assert.deepEqual(fromDash, fromPath);
  });

  it("names the input of each report when given several", () => {
    const other = testdata("seeds", "002.txt");
    const json = JSON.parse(run(["analyze", "--json", log, other]).stdout);
    assert.deepEqual(
      json.reports.map((r: { input: string }) => r.input),
      [log, other],
    );
  });

  it("prints the write-up without colour when not on a terminal", () => {
    const { code, stdout } = run(["analyze", log]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^#1 NULL pointer dereference in buggy_read_status \[buggy\]; culprit: buggy_read_status \[buggy\]/m,
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
      /\* 2a:\t48 8b 87 40 01 00 00 \tmov {4}0x140\(%rdi\),%rax <-- trapping instruction/,
    );
    assert.match(stdout, /kernel: 6\.1\.0-56-cloud-amd64, tainted G OE/);
    assert.doesNotMatch(stdout, /\x1b\[/);
  });

  it("reads a pipe named as a file (process substitution, /dev/stdin) as a text stream", () => {
    // through a shell pipeline, so that /dev/stdin is a real pipe
    const piped = spawnSync(
      "sh",
      ["-c", `cat "$0" | "$1" "$2" analyze --format brief /dev/stdin`, log, process.execPath, bin],
      {
        encoding: "utf8",
      },
    );
    assert.equal(piped.status, 0, piped.stderr);
    assert.match(piped.stdout, /1 crash report\(s\) in 411 lines/);
    assert.match(piped.stdout, /NULL pointer dereference in buggy_read_status/);
    // Node hands a child a socket, which Linux cannot open by name: a clear error, not a crash
    const socket = run(["analyze", "/dev/stdin"], "text\n");
    assert.equal(socket.code, 2);
    assert.match(socket.stderr, /cannot read \/dev\/stdin: a socket cannot be opened by name/);
  });

  it("--format markdown escapes text from the log and keeps listings verbatim", () => {
    const hostile = readFileSync(log, "utf8").replace("Comm: sh ", "Comm: <img src=x> ");
    const { code, stdout } = run(["analyze", "--format", "markdown"], hostile);
    assert.equal(code, 0);
    assert.match(stdout, /^### Why$/m);
    assert.match(stdout, /task: "\\<img src=x\\>"/);
    assert.doesNotMatch(stdout.replace(/```[\s\S]*?```/g, ""), /(?<!\\)<img/);
    // crashlens's own emphasis survives; the module name in brackets is escaped
    assert.match(stdout, /^\*\*#1 NULL pointer dereference in buggy_read_status \\\[buggy\\\]/m);
  });

  it("--format brief prints one short summary per report", () => {
    const { stdout } = run(["analyze", "--format", "brief", log]);
    assert.match(
      stdout,
      /#1 BUG: unable to handle kernel NULL pointer dereference in buggy_read_status/,
    );
    assert.ok(stdout.split("\n").length < 30);
  });

  it("exits 0 and says so when there is no crash", () => {
    const { code, stdout } = run(["analyze", "-"], "just a quiet boot\n");
    assert.equal(code, 0);
    assert.match(stdout, /no crash report found/);
  });

  it("works on each seed write-up as it is", () => {
    const dir = testdata("seeds");
    const seeds = readdirSync(dir).filter((f) => /^00\d\.txt$/.test(f));
    assert.equal(seeds.length, 5);
    for (const seed of seeds) {
      const { code, stdout } = run(["analyze", "--json", join(dir, seed)]);
      assert.equal(code, 0, seed);
      assert.ok(JSON.parse(stdout).reports.length >= 1, seed);
    }
  });

  it("exits 2 with one line on stderr for a missing file", () => {
    const { code, stderr, stdout } = run(["analyze", "/no/such/file.log"]);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr.trim().split("\n").length, 1);
    assert.match(stderr, /^crashlens: cannot read \/no\/such\/file\.log: no such file/);
  });

  it("exits 2 for usage errors", () => {
    assert.equal(run(["analyze", "--format", "yaml", log]).code, 2);
    assert.equal(run(["analyze", "--no-such-option"]).code, 2);
    assert.equal(run(["no-such-command"]).code, 2);
  });
});
