/**
 * `crashlens serve`, `token` and `recluster`: tokens made, listed and revoked in a store (the
 * secret printed once, only its hash kept); recluster's counts; serve as its own process on a
 * free loopback port (the URL it prints answers, SIGTERM closes it cleanly) and its refusal
 * to listen beyond loopback with no token.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { cli } from "../../../test/cli.js";
import { repoRoot, testdata } from "../../../test/shared.js";
import { tokenHash } from "../../server/auth.js";
import { reportsOfText } from "../../store/ingest.js";
import { SqliteStore } from "../../store/sqlite.js";

const root = mkdtempSync(join(tmpdir(), "crashlens-serve-"));
after(() => rmSync(root, { recursive: true, force: true }));
const env = { XDG_STATE_HOME: join(root, "state"), HOME: root };

describe("crashlens token", () => {
  it("create prints the secret once; the store keeps its hash; list and revoke", async () => {
    const made = await cli(["token", "create", "--role", "ingest", "--name", "agents"], { env });
    assert.equal(made.code, 0, made.stderr);
    const secret = made.stdout.trim();
    assert.match(secret, /^clk_[A-Za-z0-9_-]{43}$/);
    assert.match(made.stderr, /token 1 "agents" \(ingest\) created; its secret is shown only now/);
    // the default store, and only the hash in it
    const location = join(root, "state", "crashlens", "fleet.db");
    assert.ok(existsSync(location));
    assert.ok(!readFileSync(location).includes(secret));
    const store = await SqliteStore.open(location);
    try {
      assert.equal((await store.tokenByHash(tokenHash(secret)))?.name, "agents");
    } finally {
      await store.close();
    }
    const hostile = await cli(["token", "create", "--role", "admin", "--name", "\u001b[31mops"], {
      env,
    });
    assert.equal(hostile.code, 0, hostile.stderr);
    const list = await cli(["token", "list"], { env });
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^ {3}1 {2}ingest {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}agents$/m);
    assert.match(list.stdout, /^ {3}2 {2}admin .*\\x1b\[31mops$/m);
    assert.ok(!list.stdout.includes(secret));
    const duplicate = await cli(["token", "create", "--role", "read", "--name", "agents"], { env });
    assert.equal(duplicate.code, 2);
    assert.match(duplicate.stderr, /a token named "agents" exists already/);
    const badRole = await cli(["token", "create", "--role", "root", "--name", "x"], { env });
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /--role must be one of ingest, read, admin/);
    const revoked = await cli(["token", "revoke", "1"], { env });
    assert.equal(revoked.stdout, "revoked token 1\n");
    const again = await cli(["token", "revoke", "1"], { env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no token 1/);
    assert.doesNotMatch((await cli(["token", "list"], { env })).stdout, /agents/);
  });

  it("--store names another store", async () => {
    const store = join(root, "other.db");
    const made = await cli(["token", "create", "--role", "read", "--name", "ui", "--store", store]);
    assert.equal(made.code, 0, made.stderr);
    const list = await cli(["token", "list", "--store", store]);
    assert.match(list.stdout, /read .* ui$/m);
    const empty = await cli(["token", "list", "--store", join(root, "empty.db")]);
    assert.match(empty.stdout, /no tokens \(the server runs in local mode/);
  });
});

describe("crashlens recluster", () => {
  it("groups the stored reports again and counts them", async () => {
    const location = join(root, "recluster.db");
    const store = await SqliteStore.open(location);
    for (const [host, file] of [
      ["a", "lab-nullread.txt"],
      ["b", "lab-nullread.txt"],
      ["c", "lab-gpf.txt"],
    ] as const) {
      const text = readFileSync(testdata("oops", "x86_64", file), "utf8");
      for (const report of await reportsOfText({ text, host })) await store.ingest(report);
    }
    const clusters = (await store.listClusters()).total;
    await store.close();
    const run = await cli(["recluster", "--store", location]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `3 reports in ${clusters} clusters; 0 moved to another cluster\n`);
  });
});

describe("crashlens serve", () => {
  it("refuses bad options and a non-loopback address with no token, naming the command", async () => {
    const hostile = join(root, "open\u001b[31m.db");
    const open = await cli(["serve", "--listen", "0.0.0.0:0", "--store", hostile]);
    assert.equal(open.code, 2);
    assert.match(open.stderr, /refusing to listen on 0\.0\.0\.0/);
    assert.match(open.stderr, /crashlens token create --role admin --name NAME/);
    // the store as describeStore shows it (never a URL's password), its controls escaped
    assert.match(open.stderr, /\(the store: sqlite .*open\\x1b\[31m\.db\)/);
    assert.ok(!open.stderr.includes("\u001b"));
    const listen = await cli(["serve", "--listen", "nowhere", "--store", join(root, "x.db")]);
    assert.equal(listen.code, 2);
    assert.match(listen.stderr, /--listen takes HOST:PORT/);
    const rate = await cli(["serve", "--rate-limit", "fast", "--store", join(root, "x.db")]);
    assert.equal(rate.code, 2);
    assert.match(rate.stderr, /--rate-limit takes N\/min/);
    const size = await cli(["serve", "--max-body", "lots", "--store", join(root, "x.db")]);
    assert.equal(size.code, 2);
    // a port already taken: said in words
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", done));
    const port = (taken.address() as AddressInfo).port;
    const busy = await cli([
      "serve",
      "--listen",
      `127.0.0.1:${port}`,
      "--store",
      join(root, "x.db"),
    ]);
    taken.close();
    assert.equal(busy.code, 2);
    assert.match(busy.stderr, /cannot listen on 127\.0\.0\.1:\d+: the address is in use/);
  });

  it("end-to-end: its own process prints the URL, answers there, and closes on SIGTERM", async () => {
    const store = join(root, "served.db");
    // a cluster an older crashlens made: serve says to recluster
    const old = await SqliteStore.open(store);
    const gpf = readFileSync(testdata("oops", "x86_64", "lab-gpf.txt"), "utf8");
    for (const report of await reportsOfText({ text: gpf, host: "old" })) await old.ingest(report);
    await old.close();
    const raw = new Database(store);
    raw.exec("UPDATE clusters SET key = 'v1' || substr(key, 3)");
    raw.close();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "src", "cli", "bin.ts"),
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--store",
        store,
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no URL printed: ${stdout} ${stderr}`)),
        60_000,
      );
      child.stdout.on("data", (b: Buffer) => {
        stdout += b.toString();
        const match = /^open (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          done(match[1] as string);
        }
      });
    });
    try {
      assert.match(stdout, /^crashlens serve: sqlite .*served\.db$/m);
      assert.match(stdout, /^local mode: no API token in the store/m);
      const health = (await (await fetch(`${url}/api/health`)).json()) as { auth: string };
      assert.equal(health.auth, "none");
      const text = readFileSync(testdata("oops", "x86_64", "lab-warn.txt"), "utf8");
      const posted = await fetch(`${url}/api/reports?host=e2e`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: text,
      });
      assert.equal(posted.status, 200);
      assert.equal(((await posted.json()) as { found: number }).found, 1);
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM, closing/);
    assert.match(
      stderr,
      /warning: 1 cluster was grouped by older clustering rules; `crashlens recluster`/,
    );
    // the store was closed cleanly and holds the report
    const opened = await SqliteStore.open(store);
    try {
      assert.equal((await opened.listReports({ host: "e2e" })).total, 1);
    } finally {
      await opened.close();
    }
  });
});
