/**
 * `crashlens watch` against a real `crashlens serve` (SQLite, loopback), on crash directories
 * laid out as Debian's kdump-tools and Fedora/RHEL's kexec-tools write them (from committed
 * real dumps and logs): each crash sent once — its dump, not also its log — a save in
 * progress left alone until it is complete, nothing sent again by a new watcher on the same
 * state, a server that was down getting the crash on a later scan with the state written only
 * after it answered, and a damaged state refused; links planted in the directory never
 * followed (real symbolic links); a dropped file's name reused by a new crash sent again, a
 * crash directory never. The last test runs the agent as its own process and stops it with
 * SIGTERM.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli } from "../../../test/cli.js";
import { repoRoot, testdata } from "../../../test/shared.js";
import { CrashlensClient } from "../../agent/client.js";
import {
  age,
  artifacts,
  DEBIAN_STAMP,
  debianCrash,
  rhelCrash,
} from "../../agent/crash-layouts.case.js";
import { type FleetServer, fleetServer } from "../../agent/fleet-server.case.js";
import type { WatchState } from "../../agent/watch-state.js";
import { Watcher } from "../../agent/watcher.js";
import { startServer } from "../../server/start.js";
import { SqliteStore } from "../../store/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-watch-"));
let fleet: FleetServer;
before(async () => {
  fleet = await fleetServer(dir);
});
after(async () => {
  await fleet.close();
  rmSync(dir, { recursive: true, force: true });
});

let cases = 0;
function freshCase() {
  const root = join(dir, `case-${++cases}`);
  mkdirSync(join(root, "crash"), { recursive: true });
  return { crash: join(root, "crash"), state: join(root, "state", "watch-state.json") };
}
const readState = (path: string) => JSON.parse(readFileSync(path, "utf8")) as WatchState;

describe("crashlens watch", () => {
  it("sends each crash once, as its dump; a new watcher on the same state sends nothing", async () => {
    const { crash, state } = freshCase();
    const debian = debianCrash(crash);
    const rhel = rhelCrash(crash);
    const dropped = join(crash, "console-node9.log");
    copyFileSync(join(repoRoot, "examples", "linux-5.7-xfs-null-deref-postgres.log"), dropped);
    age(dropped);
    writeFileSync(join(crash, "kexec_cmd"), "/sbin/kexec -p --command-line=...\n");
    age(join(crash, "kexec_cmd"));
    const args = [
      "watch",
      "--once",
      "--server",
      fleet.url,
      "--state",
      state,
      "--host",
      "node9",
      crash,
    ];

    const first = await cli(args);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split("\n");
    assert.equal(lines.length, 3, first.stdout);
    const startsWith = (line: string | undefined, start: string) =>
      assert.ok(line?.startsWith(start), `${line} does not start with ${start}`);
    // in name order
    startsWith(lines[0], `${rhel} (vmcore): report `);
    startsWith(lines[1], `${debian} (dump.${DEBIAN_STAMP}): report `);
    startsWith(lines[2], `${dropped}: report `);
    for (const line of lines) assert.match(line, /: report \d+ \(cluster \d+, new\): \S/);

    const { reports } = await fleet.store.listReports({ host: "node9" });
    assert.equal(reports.length, 3);
    const saved = readState(state);
    assert.deepEqual(Object.keys(saved.submitted).sort(), [debian, rhel, dropped].sort());
    for (const [path, entry] of Object.entries(saved.submitted)) {
      assert.equal(entry.reports.length, 1, path);
      const stored = await fleet.store.getReport(entry.reports[0] ?? -1);
      assert.equal(stored?.host, "node9");
      assert.equal(stored?.source.kind, path === dropped ? "text" : "dump");
    }
    assert.equal(saved.submitted[debian]?.sent, join(debian, `dump.${DEBIAN_STAMP}`));
    assert.equal(saved.submitted[rhel]?.as, "dump");

    const second = await cli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "");
    assert.equal((await fleet.store.listReports({ host: "node9" })).total, 3);
    assert.deepEqual(readState(state), saved);

    // an agent killed between the server's answer and its state write sends again: the
    // server answers with the same reports, flagged duplicate, and stores nothing new
    rmSync(state);
    const resent = await cli(args);
    assert.equal(resent.code, 0, resent.stderr);
    assert.equal(resent.stdout.match(/\(cluster \d+, duplicate\)/g)?.length, 3, resent.stdout);
    assert.equal((await fleet.store.listReports({ host: "node9" })).total, 3);
    for (const [path, entry] of Object.entries(readState(state).submitted))
      assert.deepEqual(entry.reports, saved.submitted[path]?.reports);
  });

  it("leaves a crash being saved alone, and sends it once complete", async () => {
    const { crash, state } = freshCase();
    const debian = debianCrash(crash, { saving: true });
    const args = [
      "watch",
      "--once",
      "--server",
      fleet.url,
      "--state",
      state,
      "--host",
      "node3",
      crash,
    ];
    const during = await cli(args);
    assert.equal(during.code, 0, during.stderr);
    assert.equal(during.stdout, `${debian}: waiting: being saved (dump-incomplete)\n`);
    assert.equal(existsSync(state), false);
    assert.equal((await fleet.store.listReports({ host: "node3" })).total, 0);

    // kdump-tools renames the dump, then writes the dmesg
    renameSync(join(debian, "dump-incomplete"), join(debian, `dump.${DEBIAN_STAMP}`));
    copyFileSync(artifacts.arm64Dmesg, join(debian, `dmesg.${DEBIAN_STAMP}`));
    const settling = await cli(args);
    assert.match(settling.stdout, /waiting: (dmesg\.\d+|the directory) changed \d+ s ago/);
    assert.equal((await fleet.store.listReports({ host: "node3" })).total, 0);

    age(join(debian, `dump.${DEBIAN_STAMP}`));
    age(join(debian, `dmesg.${DEBIAN_STAMP}`));
    age(debian);
    const done = await cli(args);
    assert.match(done.stdout, /\(dump\.\d+\): report \d+ \(cluster \d+, new\)/);
    const { reports } = await fleet.store.listReports({ host: "node3" });
    // the dump only: its dmesg is the same crash
    assert.equal(reports.length, 1);
    assert.deepEqual(readState(state).submitted[debian]?.reports, [reports[0]?.id]);
  });

  it("sends the kernel log when a directory has no dump", async () => {
    const { crash, state } = freshCase();
    const rhel = rhelCrash(crash, { withDump: false, dmesg: artifacts.oomVmcoreDmesg });
    const run = await cli([
      "watch",
      "--once",
      "--server",
      fleet.url,
      "--state",
      state,
      "--host",
      "node5",
      crash,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\(vmcore-dmesg\.txt\): report \d+/);
    const stored = await fleet.store.getReport(readState(state).submitted[rhel]?.reports[0] ?? -1);
    assert.deepEqual(stored?.source, {
      kind: "text",
      text: readFileSync(artifacts.oomVmcoreDmesg, "utf8"),
    });
  });

  it("sends the kernel log instead when the dump cannot be reduced (a vmcore cut short)", async () => {
    const { crash, state } = freshCase();
    const rhel = rhelCrash(crash, { withDump: false });
    // the first 8 kB of a real dump: its header, and the file ends before its bitmaps
    writeFileSync(join(rhel, "vmcore"), readFileSync(artifacts.x86Dump).subarray(0, 8192));
    age(join(rhel, "vmcore"));
    age(rhel);
    const logged: string[] = [];
    const problems: string[] = [];
    const watcher = new Watcher({
      dir: crash,
      statePath: state,
      client: new CrashlensClient({ server: fleet.url }),
      meta: { host: "node12" },
      intervalMs: 30_000,
      log: (l) => logged.push(l),
      problem: (l) => problems.push(l),
      send: { extractAboveBytes: 0 },
    });
    assert.deepEqual(await watcher.scan(), { submitted: 1, failed: 0, waiting: 0 });
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0] ?? "", /vmcore: failed: .*truncated dump\); sending the log$/);
    assert.match(logged[0] ?? "", /\(vmcore-dmesg\.txt\): report \d+ \(cluster \d+, new\)/);
    const entry = readState(state).submitted[rhel];
    assert.equal(entry?.as, "text");
    assert.equal(entry?.sent, join(rhel, "vmcore-dmesg.txt"));
  });

  it("a server down then up: the crash is sent on a later scan, the state written only then", async () => {
    const { crash, state } = freshCase();
    const rhel = rhelCrash(crash);
    const debian = debianCrash(crash);
    const store = await SqliteStore.open(join(dir, "later.db"));
    const first = await startServer({ store, port: 0, rateLimit: false });
    const url = first.url;
    const port = Number(new URL(url).port);
    await first.close();
    const problems: string[] = [];
    const logged: string[] = [];
    const watcher = new Watcher({
      dir: crash,
      statePath: state,
      client: new CrashlensClient({
        server: url,
        retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      }),
      meta: { host: "node6" },
      intervalMs: 30_000,
      log: (l) => logged.push(l),
      problem: (l) => problems.push(l),
    });
    // the first crash finds no server: the second is not tried in the same scan
    const down = await watcher.scan();
    assert.deepEqual(down, { submitted: 0, failed: 1, waiting: 0 });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? "",
      /failed: cannot reach .* \(ECONNREFUSED\), 2 tries \(tried again on the next scan\)/,
    );
    assert.equal(existsSync(state), false);

    const second = await startServer({ store, port, rateLimit: false });
    try {
      const up = await watcher.scan();
      assert.deepEqual(up, { submitted: 2, failed: 0, waiting: 0 });
      for (const crashDir of [rhel, debian]) {
        const ids = readState(state).submitted[crashDir]?.reports ?? [];
        assert.equal(ids.length, 1);
        assert.equal((await store.getReport(ids[0] ?? -1))?.host, "node6");
      }
      assert.deepEqual(await watcher.scan(), { submitted: 0, failed: 0, waiting: 0 });
      assert.equal((await store.listReports()).total, 2);
      assert.equal(logged.length, 2);
    } finally {
      await second.close();
      await store.close().catch(() => undefined);
    }
  });

  it("follows no link planted in the directory: to a root-only file, to a crash directory", async () => {
    const { crash, state } = freshCase();
    const outside = join(crash, "..", "outside");
    mkdirSync(outside);
    const secret = join(outside, "shadow");
    writeFileSync(secret, "root:$6$secret:19000:0:99999:7:::\n", { mode: 0o600 });
    age(secret);
    const elsewhere = rhelCrash(outside);
    symlinkSync(secret, join(crash, "console.log"));
    symlinkSync(elsewhere, join(crash, "127.0.0.1-2026-11-30-13:00:00"));
    const debian = debianCrash(crash);
    const logged: string[] = [];
    const watcher = new Watcher({
      dir: crash,
      statePath: state,
      client: new CrashlensClient({ server: fleet.url }),
      meta: { host: "node14" },
      intervalMs: 30_000,
      log: (l) => logged.push(l),
      problem: (l) => logged.push(l),
    });
    assert.deepEqual(await watcher.scan(), { submitted: 1, failed: 0, waiting: 0 });
    assert.deepEqual(await watcher.scan(), { submitted: 0, failed: 0, waiting: 0 });
    // in name order, each link said once
    assert.equal(logged.length, 3, logged.join("\n"));
    assert.equal(
      logged[0],
      `${crash}/127.0.0.1-2026-11-30-13:00:00: a symbolic link, never followed`,
    );
    assert.match(logged[1] ?? "", /\(dump\.\d+\): report \d+ \(cluster \d+, new\)/);
    assert.equal(logged[2], `${join(crash, "console.log")}: a symbolic link, never followed`);
    const { reports } = await fleet.store.listReports({ host: "node14" });
    assert.equal(reports.length, 1);
    assert.deepEqual(Object.keys(readState(state).submitted), [debian]);
  });

  it("sends a dropped file again when a new crash reuses its name, a crash directory never", async () => {
    const { crash, state } = freshCase();
    const debian = debianCrash(crash);
    const dropped = join(crash, "console.log");
    copyFileSync(testdata("oops", "x86_64", "lab-gpf.txt"), dropped);
    age(dropped);
    // each scan by a new watcher, as after a restart (one process would first wait a scan
    // for a file that changed since its last one)
    const scan = () =>
      new Watcher({
        dir: crash,
        statePath: state,
        client: new CrashlensClient({ server: fleet.url }),
        meta: { host: "node15" },
        intervalMs: 30_000,
        log: () => undefined,
        problem: (l) => assert.fail(l),
      }).scan();
    assert.deepEqual(await scan(), { submitted: 2, failed: 0, waiting: 0 });
    const first = readState(state).submitted[dropped]?.reports ?? [];
    assert.deepEqual(await scan(), { submitted: 0, failed: 0, waiting: 0 });

    // a new crash saved under the same name; and kdump-tools' dmesg rewritten after the dump
    copyFileSync(testdata("oops", "x86_64", "lab-oom.txt"), dropped);
    age(dropped, new Date(Date.now() - 60 * 60_000));
    writeFileSync(join(debian, `dmesg.${DEBIAN_STAMP}`), readFileSync(artifacts.arm64Dmesg));
    age(join(debian, `dmesg.${DEBIAN_STAMP}`), new Date(Date.now() - 60 * 60_000));
    assert.deepEqual(await scan(), { submitted: 1, failed: 0, waiting: 0 });
    const second = readState(state).submitted[dropped]?.reports ?? [];
    assert.equal(second.length, 1);
    assert.notDeepEqual(second, first);
    const stored = await fleet.store.getReport(second[0] ?? -1);
    assert.deepEqual(stored?.source, {
      kind: "text",
      text: readFileSync(testdata("oops", "x86_64", "lab-oom.txt"), "utf8"),
    });
    assert.equal((await fleet.store.listReports({ host: "node15" })).total, 3);
    assert.deepEqual(await scan(), { submitted: 0, failed: 0, waiting: 0 });
  });

  it("refuses a damaged state with what to do, and sends nothing", async () => {
    const { crash, state } = freshCase();
    rhelCrash(crash);
    mkdirSync(join(state, ".."), { recursive: true });
    writeFileSync(state, '{"version":1,"submitted":{"/var/crash/1');
    const run = await cli([
      "watch",
      "--once",
      "--server",
      fleet.url,
      "--state",
      state,
      "--host",
      "node8",
      crash,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /the watch state .* is damaged \(not JSON/);
    assert.match(run.stderr, /move it away to submit every crash under .* once more/);
    assert.equal((await fleet.store.listReports({ host: "node8" })).total, 0);
  });

  it("end-to-end: runs as its own process, sends, and stops cleanly on SIGTERM", async () => {
    const { crash, state } = freshCase();
    debianCrash(crash);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "src", "cli", "bin.ts"),
        "watch",
        "--interval",
        "1",
        "--server",
        fleet.url,
        "--state",
        state,
        "--host",
        "node11",
        crash,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no submission in time: ${stdout} ${stderr}`)),
        60_000,
      );
      child.stdout.on("data", (b: Buffer) => {
        stdout += b.toString();
        if (stdout.includes("\n")) {
          clearTimeout(timer);
          done();
        }
      });
    });
    // a crash arriving while it runs is picked up by a later scan
    const later = rhelCrash(crash);
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`second crash not sent: ${stdout}`)), 60_000);
      const check = () => {
        if (stdout.includes(later)) {
          clearTimeout(timer);
          done();
        } else setTimeout(check, 100);
      };
      check();
    });
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /watch: SIGTERM, stopping/);
    assert.equal(Object.keys(readState(state).submitted).length, 2);
    assert.equal((await fleet.store.listReports({ host: "node11" })).total, 2);
  });
});
