/**
 * `crashlens submit` against a real `crashlens serve` (SQLite, loopback): a file and a
 * directory of committed real logs and dumps are stored with the host and labels given,
 * resubmissions come back as duplicates, a large dump is reduced before it is sent, and each
 * refusal of the server (no token, wrong token, read-only token, body over the limit, rate
 * limit) reads as what it is. A server that answers a hostile title cannot reach the
 * terminal with it. The last test runs the command as its own process.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { cli } from "../../../test/cli.js";
import { repoRoot, testdata } from "../../../test/shared.js";
import { CrashlensClient } from "../../agent/client.js";
import { type FleetServer, fleetServer } from "../../agent/fleet-server.case.js";
import { sendFile } from "../../agent/payload.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-submit-"));
const example = join(repoRoot, "examples", "linux-5.7-xfs-null-deref-postgres.log");
const dump = testdata("dumps", "arm64-nullread-dmesg.kdump-zlib");
const REPORT_LINE = /^(.+): report (\d+) \(cluster (\d+), (new|duplicate)\): (.+)$/;

let fleet: FleetServer;
before(async () => {
  fleet = await fleetServer(dir);
});
after(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

function reportLines(stdout: string) {
  return stdout
    .trim()
    .split("\n")
    .map((l) => REPORT_LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      path: m[1],
      id: Number(m[2]),
      cluster: Number(m[3]),
      state: m[4],
      title: m[5],
    }));
}

describe("crashlens submit", () => {
  it("a file: stored with its host and labels; sent again, the same report flagged duplicate", async () => {
    const args = ["submit", "--server", fleet.url, "--host", "db-7", "--label", "rack=b7", example];
    const first = await cli(args);
    assert.equal(first.code, 0, first.stderr);
    const [line] = reportLines(first.stdout);
    assert.ok(line, first.stdout);
    assert.equal(line.path, example);
    assert.equal(line.state, "new");
    const stored = await fleet.store.getReport(line.id);
    assert.equal(stored?.host, "db-7");
    assert.deepEqual(stored?.labels, { rack: "b7" });
    assert.equal(stored?.cluster, line.cluster);
    assert.equal(stored?.report.title, line.title);
    assert.deepEqual(stored?.source, { kind: "text", text: readFileSync(example, "utf8") });
    assert.match(
      first.stdout,
      /^1 file: 1 report \(1 new, 0 duplicate\), 0 without a crash report, 0 failed$/m,
    );

    const again = await cli(args);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(reportLines(again.stdout), [{ ...line, state: "duplicate" }]);
    assert.match(again.stdout, /1 report \(0 new, 1 duplicate\)/);
    assert.equal((await fleet.store.listReports({ host: "db-7" })).total, 1);
  });

  it("a directory: every file under it but the hidden ones, dumps as dumps, server and host from the environment", async () => {
    const root = join(dir, "batch");
    mkdirSync(join(root, "x86_64"), { recursive: true });
    mkdirSync(join(root, "nested", "arm64"), { recursive: true });
    mkdirSync(join(root, ".git"), { recursive: true });
    for (const name of ["lab-gpf.txt", "lab-oom.txt"])
      copyFileSync(testdata("oops", "x86_64", name), join(root, "x86_64", name));
    copyFileSync(
      testdata("oops", "arm64", "lab-bugon.txt"),
      join(root, "nested", "arm64", "bugon.txt"),
    );
    copyFileSync(dump, join(root, "nested", "node4.kdump"));
    writeFileSync(
      join(root, "notes.txt"),
      "the machine rebooted at 03:12, nothing on the console\n",
    );
    // hidden: an editor's copy and a repository's objects are not crash reports to send
    copyFileSync(testdata("oops", "x86_64", "lab-warn.txt"), join(root, ".lab-warn.txt.swp"));
    copyFileSync(testdata("oops", "x86_64", "lab-warn.txt"), join(root, ".git", "warn"));
    // links inside a directory walked are never followed: to a file elsewhere, to a directory
    const elsewhere = join(dir, "elsewhere.log");
    copyFileSync(testdata("oops", "x86_64", "lab-warn.txt"), elsewhere);
    symlinkSync(elsewhere, join(root, "linked.log"));
    symlinkSync(join(root, "x86_64"), join(root, "nested", "again"));

    const run = await cli(["submit", root], {
      env: { CRASHLENS_SERVER: fleet.url },
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.deepEqual(
      lines.slice(0, -1).map((l) => l.slice(0, l.indexOf(": "))),
      [
        join(root, "nested", "arm64", "bugon.txt"),
        join(root, "nested", "node4.kdump"),
        join(root, "notes.txt"),
        join(root, "x86_64", "lab-gpf.txt"),
        join(root, "x86_64", "lab-oom.txt"),
      ],
    );
    assert.equal(lines[2], `${join(root, "notes.txt")}: no crash report found in the input`);
    assert.equal(
      lines.at(-1),
      "5 files: 4 reports (4 new, 0 duplicate), 1 without a crash report, 0 failed",
    );
    const reports = reportLines(run.stdout);
    const dumpReport = await fleet.store.getReport(reports[1]?.id ?? -1);
    assert.equal(dumpReport?.source.kind, "dump");
    assert.equal(dumpReport?.source.kind === "dump" && dumpReport.source.name, "node4.kdump");
    assert.equal(dumpReport?.report.kind, "null-deref");
    const { hostname } = await import("node:os");
    for (const r of reports) assert.equal((await fleet.store.getReport(r.id))?.host, hostname());

    // a link named on the command line is the user's choice: followed
    const named = await cli(["submit", join(root, "linked.log")], {
      env: { CRASHLENS_SERVER: fleet.url },
    });
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stdout, /linked\.log: report \d+ \(cluster \d+, new\)/);
  });

  it("reduces a large dump to a minimal one before sending it", async () => {
    const client = new CrashlensClient({ server: fleet.url });
    const big = testdata("dumps", "hung-shell.kdump-zlib");
    const extracted: number[] = [];
    const sent = await sendFile(
      client,
      big,
      { host: "reduce-test" },
      { extractAboveBytes: 1 << 20, onExtracted: (_p, from, to) => extracted.push(from, to) },
    );
    assert.equal(sent.kind, "dump");
    assert.equal(sent.extracted, true);
    assert.equal(extracted[0], 2977875);
    assert.ok((extracted[1] ?? Infinity) < 100_000, String(extracted[1]));
    // the hung-task dump's log holds two reports
    assert.equal(sent.result.found, 2);
    for (const report of sent.result.reports) {
      const stored = await fleet.store.getReport(report.id);
      assert.equal(stored?.source.kind, "dump");
      assert.equal(stored?.source.kind === "dump" && stored.source.name, "hung-shell.kdump-zlib");
    }
  });

  it("says what a refusal means: no token, unknown token, read-only token; stops at the first", async () => {
    const guarded = await fleetServer(dir, {}, ["read", "ingest"]);
    try {
      const files = [
        testdata("oops", "x86_64", "lab-gpf.txt"),
        testdata("oops", "x86_64", "lab-bugon.txt"),
      ];
      const run = (token?: string) =>
        cli(["submit", "--server", guarded.url, ...(token ? ["--token", token] : []), ...files]);
      const none = await run();
      assert.equal(none.code, 1);
      assert.match(none.stderr, /needs a token \(401\): pass --token or set CRASHLENS_TOKEN/);
      assert.match(none.stderr, /stopped: 1 more not submitted/);
      assert.match(none.stdout, /2 files: 0 reports .* 2 failed/);
      const wrong = await run("not-a-token");
      assert.match(wrong.stderr, /does not know this token \(401\)/);
      const reader = await run(guarded.tokens.read);
      assert.equal(reader.code, 1);
      assert.match(
        reader.stderr,
        /may not submit reports .* \(403\): use a token with the ingest or admin role/,
      );
      assert.equal((await guarded.store.listReports()).total, 0);
      const ingest = await cli(["submit", ...files], {
        env: { CRASHLENS_SERVER: guarded.url, CRASHLENS_TOKEN: guarded.tokens.ingest },
      });
      assert.equal(ingest.code, 0, ingest.stderr);
      assert.equal((await guarded.store.listReports()).total, 2);
    } finally {
      await guarded.close();
    }
  });

  it("a body over the server's limit fails that file alone (413, naming the limit)", async () => {
    const small = await fleetServer(dir, { maxBodyBytes: 2048, maxDumpBytes: 8192 });
    try {
      const tiny = join(dir, "tiny.txt");
      writeFileSync(tiny, "[    1.000000] nothing to see\n");
      const run = await cli(["submit", "--server", small.url, example, dump, tiny]);
      assert.equal(run.code, 1);
      const problems = run.stderr.trim().split("\n");
      assert.equal(problems.length, 2, run.stderr);
      assert.match(
        problems[0] ?? "",
        /^crashlens: .*\.log: failed: too large for the server \(413\): .*2048/,
      );
      assert.match(
        problems[1] ?? "",
        /^crashlens: .*kdump-zlib: failed: too large for the server \(413\): .*8192/,
      );
      assert.match(run.stdout, /^.*tiny\.txt: no crash report found in the input$/m);
      assert.match(run.stdout, /3 files: 0 reports .* 1 without a crash report, 2 failed/);
    } finally {
      await small.close();
    }
  });

  it("waits out a rate limit (429) and then succeeds", async () => {
    const limited = await fleetServer(dir, { rateLimit: { max: 1, windowMs: 1000 } });
    try {
      const client = new CrashlensClient({
        server: limited.url,
        retry: { attempts: 4, baseDelayMs: 200, maxDelayMs: 2000 },
      });
      const text = readFileSync(testdata("oops", "x86_64", "lab-gpf.txt"), "utf8");
      const start = performance.now();
      const first = await client.submitText(text, { host: "rl-1" });
      const second = await client.submitText(text, { host: "rl-2" });
      assert.equal(first.found, 1);
      assert.equal(second.found, 1);
      assert.equal(second.reports[0]?.duplicate, false);
      // the second had to wait for the window to pass
      assert.ok(performance.now() - start >= 150, `${performance.now() - start} ms`);
      assert.equal((await limited.store.listReports()).total, 2);
    } finally {
      await limited.close();
    }
  });

  it("shows a hostile server's title and error text as escapes, never as terminal commands", async () => {
    // a server that is not crashlens (or no longer is): the real one cleans titles itself,
    // so only a stand-in can send what an agent must still not print raw
    const hostileTitle = "BUG: \x1b[2J\x1b]0;owned\x07 in \u202eevil\u202c \x9b2J";
    let calls = 0;
    const evil = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        calls++;
        const body =
          calls === 1
            ? {
                found: 1,
                reports: [
                  { id: 1, cluster: 1, duplicate: false, title: hostileTitle, kind: "oops" },
                ],
              }
            : { error: { code: "bad-request", message: `no \x1b[2J \u202e way` } };
        response.writeHead(calls === 1 ? 200 : 400, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((done) => evil.listen(0, "127.0.0.1", done));
    try {
      const { port } = evil.address() as { port: number };
      const files = [
        testdata("oops", "x86_64", "lab-gpf.txt"),
        testdata("oops", "x86_64", "lab-bugon.txt"),
      ];
      const run = await cli(["submit", "--server", `http://127.0.0.1:${port}`, ...files]);
      assert.equal(run.code, 1);
      for (const output of [run.stdout, run.stderr])
        assert.doesNotMatch(output, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      assert.ok(
        run.stdout.includes("BUG: \\x1b[2J\\x1b]0;owned\\x07 in \\u202eevil\\u202c \\x9b2J"),
      );
      assert.match(run.stderr, /refused the request: no \\x1b\[2J \\u202e way/);
    } finally {
      await new Promise<void>((done) => evil.close(() => done()));
    }
  });

  it("end-to-end: the command as its own process", async () => {
    // asynchronously: the server answering it runs in this process
    const bin = join(repoRoot, "src", "cli", "bin.ts");
    const result = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", bin, "submit", "--host", "proc-1", example],
      { cwd: repoRoot, encoding: "utf8", env: { ...process.env, CRASHLENS_SERVER: fleet.url } },
    );
    assert.equal(result.stderr, "");
    const [line] = reportLines(result.stdout);
    assert.equal(line?.state, "new");
    assert.match(result.stdout, /^1 file: 1 report \(1 new, 0 duplicate\)/m);
  });
});
