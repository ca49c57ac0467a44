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

  it("prints one screen without colour when not on a terminal", async () => {
    const { code, stdout } = await run(["analyze", log]);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split("\n");
    assert.ok(lines.length <= 25, `${lines.length} lines`);
    assert.equal(lines[0], `${log}: 1 crash report in 43 lines`);
    assert.match(
      stdout,
      /^#1 BUG: unable to handle kernel NULL pointer dereference in xfs_log_commit_cil$/m,
    );
    assert.match(
      stdout,
      /^ {3}what: {4}NULL pointer dereference \[null-deref\], input lines 1-43$/m,
    );
    assert.match(
      stdout,
      /^ {3}where: {3}xfs_log_commit_cil\+0x356\/0x7f0 at `mov 0x20\(%rax\),%esi`, fault address 0x20$/m,
    );
    assert.match(
      stdout,
      /^ {3}task: {4}"postgres", pid 7756, CPU 3; kernel 5\.7\.0-rc7-andres-00133-gc8707bf69395, not tainted$/m,
    );
    assert.match(stdout, /^ {3}stack: {3}xfs_log_commit_cil ← __xfs_trans_commit ← xfs_create ← /m);
    assert.match(stdout, /^ {3}culprit: xfs_log_commit_cil — the crash happened in it$/m);
    // the strongest finding, with one line of its evidence under it
    assert.match(
      stdout,
      /^ {3}- NULL pointer dereference: rax was 0x0 .*\[null-deref\]\n {7}line 11: .*RAX: 0{16}/m,
    );
    assert.match(stdout, /^Next steps$/m);
    assert.match(
      stdout,
      /^--verbose adds the decoded Code: listing, .*the whole stack \(9 frames\)$/m,
    );
    // what only --verbose shows
    assert.doesNotMatch(stdout, /trapping instruction|^Evidence$|^Stack$/m);
    assert.doesNotMatch(stdout, /\x1b\[/);
  });

  it("--verbose prints the full write-up: evidence, the decoded listing, every finding, the stack", async () => {
    const { code, stdout } = await run(["analyze", "--verbose", log]);
    assert.equal(code, 0);
    for (const section of ["Evidence", "Faulting instruction", "Findings", "Next steps", "Stack"]) {
      assert.match(stdout, new RegExp(`^${section}`, "m"), section);
    }
    assert.match(
      stdout,
      /\* 2a:\t8b 70 20 {13}\tmov {4}0x20\(%rax\),%esi <-- trapping instruction/,
    );
    assert.match(
      stdout,
      /^ {3}kernel: {2}5\.7\.0-rc7-andres-00133-gc8707bf69395, not tainted, on Supermicro/m,
    );
    assert.match(stdout, /^ {3}1\. NULL pointer dereference: .*\[null-deref; lines 1, 9, 11\]$/m);
    assert.match(stdout, /\[faulting-instruction; line 9\]$/m);
    // the head names the culprit; no section says it again
    assert.equal(stdout.match(/the crash happened in it/g)?.length, 1);
    assert.doesNotMatch(stdout, /^Suspects$/m);
    assert.deepEqual((await run(["analyze", "-v", log])).stdout, stdout);
  });

  it("shows control characters from the log as escapes, never raw, in every text format", async () => {
    // a C1 CSI (U+009B) survives the text layer's ANSI stripping; a terminal would obey it
    const hostile = readFileSync(log, "utf8").replace(
      "Comm: postgres ",
      "Comm: <script>\u009b2J\u202eevil ",
    );
    for (const args of [[], ["--verbose"], ["--format", "markdown"], ["--format", "brief"]]) {
      const { code, stdout } = await run(["analyze", ...args, "-"], hostile);
      assert.equal(code, 0, args.join(" "));
      assert.doesNotMatch(stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/, args.join(" "));
      // (Markdown escapes the backslash once more)
      assert.match(stdout, /\\\\?x9b2J\\\\?u202eevil/, args.join(" "));
    }
    // text stays text: `<script>` is printed as it is in the terminal formats
    assert.match((await run(["analyze", "-"], hostile)).stdout, /task: {4}"<script>\\x9b2J/);
    // on a terminal, the only escape sequences are crashlens's own colours
    for (const args of [[], ["--verbose"]]) {
      const tty = await cli(["analyze", ...args, "-"], { stdin: hostile, columns: 80 });
      assert.match(tty.stdout, /\x1b\[1m/);
      const bare = tty.stdout.replace(/\x1b\[\d+(?:;\d+)*m/g, "");
      assert.doesNotMatch(bare, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
      assert.match(bare, /"<script>\\x9b2J\\u202eevil"/);
      // quoted log lines are cut to the terminal's width
      for (const line of bare.split("\n").filter((l) => /^ +line +\d+: /.test(l)))
        assert.ok(line.length <= 80, line);
    }
    // JSON keeps the data (JSON.stringify escapes what must be escaped)
    const json = JSON.parse((await run(["analyze", "--json", "-"], hostile)).stdout);
    assert.equal(json.reports[0].task.comm, "<script>\u009b2J\u202eevil");
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
    assert.match(piped.stdout, /1 crash report in 43 lines/);
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
    for (const verbose of [false, true]) {
      const args = ["analyze", "--format", "markdown", ...(verbose ? ["--verbose"] : []), "-"];
      const { code, stdout } = await run(args, hostile);
      assert.equal(code, 0);
      assert.match(stdout, /^### Findings$/m);
      assert.match(stdout, /^- \*\*task:\*\* "\\<img src=x\\>"/m);
      assert.doesNotMatch(stdout.replace(/```[\s\S]*?```/g, ""), /(?<!\\)<img/);
      // crashlens's own emphasis survives; the module name in brackets is escaped
      assert.match(
        stdout,
        /^\*\*#1 BUG: unable to handle kernel NULL pointer dereference in xfs_log_commit_cil\*\*$/m,
      );
      assert.match(stdout, /^- \*\*where:\*\* xfs_log_commit_cil\+0x356\/0x7f0 \\\[xfs\\\]/m);
      if (verbose) assert.match(stdout, /^```\n[^`]*^\* 2a:\t8b 70 20 /m);
    }
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
  });

  // the table CONFLICTS in commands/analyze.ts: options that ask for two things at once
  const conflicts: Array<[args: string[], message: RegExp]> = [
    [["--json", "--format", "brief"], /^crashlens: --json and --format brief ask for two outputs$/],
    [["--json", "--format", "markdown"], /--json and --format markdown ask for two outputs/],
    [["--json", "--format", "text"], /--json and --format text ask for two outputs/],
    [["--json", "--verbose"], /--verbose does not apply to --json: JSON always holds every/],
    [["--format", "json", "-v"], /--verbose does not apply to --format json/],
    [["--format", "brief", "--verbose"], /--verbose and --format brief ask for the full write-up/],
  ];
  for (const [args, message] of conflicts) {
    it(`refuses ${args.join(" ")} as a usage error, before reading any input`, async () => {
      // the input does not exist: the options are checked first
      const { code, stdout, stderr } = await run(["analyze", ...args, "/no/such/file"]);
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.equal(stderr.trim().split("\n").length, 1);
      assert.match(stderr.trim(), message);
    });
  }

  it("accepts the combinations that agree", async () => {
    for (const args of [
      ["--json", "--format", "json"],
      ["--format", "markdown", "--verbose"],
      ["--format", "text", "--verbose"],
      ["--format", "brief"],
    ]) {
      assert.equal((await run(["analyze", ...args, log])).code, 0, args.join(" "));
    }
  });
});
