/**
 * The fleet API through fastify's `inject()` on a real SQLite store, with the committed real
 * logs and dumps: ingest of each body type, idempotency, the cluster list, page, reports and
 * triage, the limits and media types, roles, the OpenAPI document, the UI's fallback and the
 * security headers, and hostile strings that stay JSON text.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { cli } from "../../test/cli.js";
import { testdata } from "../../test/shared.js";
import { CrashlensError } from "../errors.js";
import { realInputs } from "../store/inputs.case.js";
import { SqliteStore } from "../store/sqlite.js";
import type { ClusterSummary, ReportSummary, StoredReport } from "../store/types.js";
import { inProcessAnalyzer } from "./analyzer.js";
import { type AppOptions, buildApp } from "./app.js";
import { newTokenSecret, routeRoles, tokenHash } from "./auth.js";

const root = mkdtempSync(join(tmpdir(), "crashlens-server-"));
const opened: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of opened) await close();
  rmSync(root, { recursive: true, force: true });
});
let stores = 0;

const xfsLog = readFileSync(
  join(testdata(), "..", "examples", "linux-5.7-xfs-null-deref-postgres.log"),
  "utf8",
);
const hostileLog = readFileSync(testdata("fleet", "hostile-comm.txt"), "utf8");
const dumpPath = testdata("dumps", "arm64-nullread-dmesg.kdump-zlib");
const dumpBytes = readFileSync(dumpPath);
const HOSTILE = "\u202e<script>alert(1)</script>";

async function app(
  options: Partial<AppOptions> = {},
): Promise<{ app: FastifyInstance; store: SqliteStore; tempDir: string }> {
  const store = await SqliteStore.open(join(root, `fleet-${++stores}.db`));
  const tempDir = join(root, `uploads-${stores}`);
  mkdirSync(tempDir);
  const built = await buildApp({
    loopback: true,
    rateLimit: false,
    tempDir,
    uiDir: join(root, "no-ui"),
    ...options,
    store,
  });
  opened.push(async () => {
    await built.close();
    await store.close();
  });
  return { app: built, store, tempDir };
}

/** what the server left in its temporary folder: each upload has a folder, removed with it */
function leftovers(tempDir: string): string[] {
  return readdirSync(tempDir);
}

function text(
  payload: string,
  url = "/api/reports?host=web-1",
  headers: Record<string, string> = {},
) {
  return {
    method: "POST" as const,
    url,
    payload,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  };
}

describe("server: ingest", () => {
  let server: FastifyInstance;
  let tempDir: string;
  before(async () => {
    ({ app: server, tempDir } = await app());
  });

  it("text/plain: every report is stored under its cluster, with the host and labels", async () => {
    const r = await server.inject(
      text(xfsLog, "/api/reports?host=db-7&label=rack=b2&label=env=prod"),
    );
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.found, 1);
    assert.equal(body.reports[0].duplicate, false);
    assert.equal(body.reports[0].kind, "null-deref");
    assert.match(body.reports[0].title, /xfs_log_commit_cil/);
    const stored = (
      await server.inject({ method: "GET", url: `/api/reports/${body.reports[0].id}` })
    ).json() as StoredReport;
    assert.equal(stored.host, "db-7");
    assert.deepEqual(stored.labels, { rack: "b2", env: "prod" });
    assert.deepEqual(stored.source, { kind: "text", text: xfsLog });
    assert.equal(stored.cluster, body.reports[0].cluster);
    // the evidence's line numbers point into the submitted text
    const report = stored.report as {
      findings: Array<{ evidence: Array<{ line: number; text: string }> }>;
    };
    const evidence = report.findings.flatMap((f) => f.evidence);
    assert.ok(evidence.length > 0);
    const lines = xfsLog.split("\n");
    for (const e of evidence)
      assert.ok(lines[e.line - 1]?.includes(e.text.trim()), `line ${e.line}: ${e.text}`);
  });

  it("idempotent: the same body from the same host gives the same ids, marked duplicate", async () => {
    const log = realInputs().find((i) => i.name === "lab/x86_64/gpf")?.text as string;
    const first = (await server.inject(text(log, "/api/reports?host=idem"))).json();
    const again = (await server.inject(text(log, "/api/reports?host=idem"))).json();
    assert.ok(first.found >= 1);
    assert.deepEqual(
      again.reports.map((r: { id: number }) => r.id),
      first.reports.map((r: { id: number }) => r.id),
    );
    assert.ok(again.reports.every((r: { duplicate: boolean }) => r.duplicate));
    assert.ok(first.reports.every((r: { duplicate: boolean }) => !r.duplicate));
    // another host: new reports in the same clusters
    const other = (await server.inject(text(log, "/api/reports?host=idem-2"))).json();
    assert.notEqual(other.reports[0].id, first.reports[0].id);
    assert.equal(other.reports[0].cluster, first.reports[0].cluster);
  });

  it("application/json: text, host and labels from the body; the query's host wins", async () => {
    const log = realInputs().find((i) => i.name === "lab/x86_64/bugon")?.text as string;
    const r = await server.inject({
      method: "POST",
      url: "/api/reports",
      payload: { text: log, host: "json-host", labels: { team: "kernel" } },
    });
    assert.equal(r.statusCode, 200, r.body);
    const stored = (
      await server.inject({ method: "GET", url: `/api/reports/${r.json().reports[0].id}` })
    ).json();
    assert.equal(stored.host, "json-host");
    assert.deepEqual(stored.labels, { team: "kernel" });
    const header = await server.inject(
      text(log, "/api/reports", { "x-crashlens-host": "from-header" }),
    );
    assert.equal(header.statusCode, 200, header.body);
    const viaHeader = (
      await server.inject({ method: "GET", url: `/api/reports/${header.json().reports[0].id}` })
    ).json();
    assert.equal(viaHeader.host, "from-header");
  });

  it("application/octet-stream: a committed dump is analysed as `analyze` does, the upload removed", async () => {
    const r = await server.inject({
      method: "POST",
      url: "/api/reports?host=arm-1&name=arm64-nullread-dmesg.kdump-zlib",
      payload: dumpBytes,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.found, 1);
    assert.equal(body.reports[0].kind, "null-deref");
    const stored = (
      await server.inject({ method: "GET", url: `/api/reports/${body.reports[0].id}` })
    ).json();
    assert.equal(stored.source.kind, "dump");
    assert.equal(stored.source.name, "arm64-nullread-dmesg.kdump-zlib");
    assert.match(stored.source.facts.format, /kdump/);
    // the report's lines refer to the log read from the dump
    const lines = stored.source.log.split("\n");
    assert.match(
      lines[stored.report.lines.start - 1],
      /Unable to handle kernel NULL pointer|Internal error|Mem abort/,
    );
    assert.deepEqual(leftovers(tempDir), []);
    const again = (
      await server.inject({
        method: "POST",
        url: "/api/reports?host=arm-1&name=arm64-nullread-dmesg.kdump-zlib",
        payload: dumpBytes,
        headers: { "content-type": "application/octet-stream" },
      })
    ).json();
    assert.equal(again.reports[0].id, body.reports[0].id);
    assert.equal(again.reports[0].duplicate, true);
  });

  it("no crash in the input: found 0 and the message; bytes that are no dump: 415 on both routes", async () => {
    const r = await server.inject(text("just a boot log\nnothing happened\n"));
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), {
      found: 0,
      reports: [],
      message: "no crash report found in the input",
    });
    for (const url of ["/api/reports?host=x", "/api/analyze"]) {
      const junk = await server.inject({
        method: "POST",
        url,
        payload: Buffer.from("not a dump at all"),
        headers: { "content-type": "application/octet-stream" },
      });
      // the agent sends the log as text on a 415
      assert.equal(junk.statusCode, 415, url);
      assert.equal(junk.json().error.code, "unsupported-media-type");
      assert.match(junk.json().error.message, /not a kdump-compressed, flattened or ELF dump/);
    }
    assert.deepEqual(leftovers(tempDir), []);
  });

  it("refusals: no host 400, a bad label 400, other media types 415, all in the error shape", async () => {
    const noHost = await server.inject(text(xfsLog, "/api/reports"));
    assert.equal(noHost.statusCode, 400);
    assert.match(noHost.json().error.message, /host/);
    const badLabel = await server.inject(text(xfsLog, "/api/reports?host=a&label=novalue"));
    assert.equal(badLabel.statusCode, 400);
    assert.equal(badLabel.json().error.code, "bad-request");
    const png = await server.inject({
      method: "POST",
      url: "/api/reports?host=a",
      payload: "x",
      headers: { "content-type": "image/png" },
    });
    assert.equal(png.statusCode, 415);
    assert.equal(png.json().error.code, "unsupported-media-type");
    assert.match(png.json().error.message, /"image\/png": send text\/plain/);
    // any key is a label: __proto__ is stored, not swallowed by the prototype
    const proto = await server.inject(
      text(xfsLog, "/api/reports?host=p&label=__proto__=x&label=constructor=y"),
    );
    assert.equal(proto.statusCode, 200, proto.body);
    const protoStored = (
      await server.inject({ method: "GET", url: `/api/reports/${proto.json().reports[0].id}` })
    ).json();
    assert.deepEqual(Object.entries(protoStored.labels), [
      ["__proto__", "x"],
      ["constructor", "y"],
    ]);
    const longHost = await server.inject(text(xfsLog, `/api/reports?host=${"h".repeat(300)}`));
    assert.equal(longHost.statusCode, 400);
    assert.match(
      longHost.json().error.message,
      /host name is 300 bytes, more than the limit of 255/,
    );
    const badJson = await server.inject({
      method: "POST",
      url: "/api/reports?host=a",
      payload: "{",
      headers: { "content-type": "application/json" },
    });
    assert.equal(badJson.statusCode, 400);
    assert.ok(badJson.json().error.message);
  });
});

describe("server: size limits", () => {
  it("a text body over --max-body: 413 naming the limit; a dump over --max-dump: 413, no file left", async () => {
    const { app: server, tempDir } = await app({ maxBodyBytes: 2048, maxDumpBytes: 20_000 });
    const r = await server.inject(text(xfsLog));
    assert.equal(r.statusCode, 413);
    assert.equal(r.json().error.code, "too-large");
    assert.match(r.json().error.message, /limit of 2048 bytes/);
    const json = await server.inject({
      method: "POST",
      url: "/api/analyze",
      payload: { text: xfsLog },
    });
    assert.equal(json.statusCode, 413);
    assert.match(json.json().error.message, /2048/);
    const dump = await server.inject({
      method: "POST",
      url: "/api/reports?host=a",
      payload: dumpBytes,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(dump.statusCode, 413);
    assert.match(dump.json().error.message, /dump is larger than the limit of 20000 bytes/);
    assert.deepEqual(leftovers(tempDir), []);
    const small = await server.inject(text("no crash here\n"));
    assert.equal(small.statusCode, 200);
  });
});

describe("server: uploads a killed server left", () => {
  it("are removed when a server starts in the same folder; a running server's are kept", async () => {
    const tempDir = join(root, "abandoned");
    mkdirSync(tempDir);
    // a pid no process has (above pid_max) and this process's own
    const gone = join(tempDir, "crashlens-upload-2147483646-Ab12Cd");
    const ours = join(tempDir, `crashlens-upload-${process.pid}-Ef34Gh`);
    const other = join(tempDir, "not-ours");
    for (const dir of [gone, ours, other]) {
      mkdirSync(dir);
      writeFileSync(join(dir, "upload.dump"), "partial");
    }
    await app({ tempDir });
    assert.deepEqual(leftovers(tempDir).sort(), [
      `crashlens-upload-${process.pid}-Ef34Gh`,
      "not-ours",
    ]);
  });
});

describe("server: clusters, reports, facets", () => {
  let server: FastifyInstance;
  const inputs = realInputs().filter((i) => /^(lab\/x86_64|seed\/00)/.test(i.name));
  before(async () => {
    ({ app: server } = await app());
    for (const [i, input] of inputs.entries()) {
      const r = await server.inject(
        text(input.text, `/api/reports?host=${i % 2 ? "odd" : "even"}-${i}`),
      );
      assert.equal(r.statusCode, 200, r.body);
    }
    await server.inject(text(hostileLog, "/api/reports?host=evil"));
  });

  it("lists clusters with total, filters by kind and host, searches, sorts by count", async () => {
    const all = (await server.inject({ method: "GET", url: "/api/clusters?limit=1000" })).json();
    assert.ok(all.total >= 5);
    assert.equal(all.clusters.length, all.total);
    const kind = (all.clusters as ClusterSummary[])[0]?.kind as string;
    const byKind = (
      await server.inject({ method: "GET", url: `/api/clusters?kind=${kind}` })
    ).json();
    assert.ok(byKind.total >= 1 && byKind.total < all.total);
    assert.ok((byKind.clusters as ClusterSummary[]).every((c) => c.kind === kind));
    const byHost = (await server.inject({ method: "GET", url: "/api/clusters?host=evil" })).json();
    assert.equal(byHost.total, 1);
    const found = (
      await server.inject({ method: "GET", url: "/api/clusters?q=xfs_log_commit_cil" })
    ).json();
    const hostileSearch = (
      await server.inject({ method: "GET", url: `/api/clusters?q=${encodeURIComponent("script")}` })
    ).json();
    assert.equal(hostileSearch.total, 1);
    assert.equal(found.total, 0); // that log was not submitted to this store
    const counted = (
      await server.inject({ method: "GET", url: "/api/clusters?sort=count&limit=2&offset=0" })
    ).json();
    assert.equal(counted.clusters.length, 2);
    assert.ok(counted.clusters[0].count >= counted.clusters[1].count);
    const bad = await server.inject({ method: "GET", url: "/api/clusters?sort=random" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, "bad-request");
  });

  it("a cluster's page, its reports newest first, 404 for one that does not exist", async () => {
    const list = (await server.inject({ method: "GET", url: "/api/clusters?host=evil" })).json();
    const id = list.clusters[0].id;
    const cluster = (await server.inject({ method: "GET", url: `/api/clusters/${id}` })).json();
    assert.equal(cluster.id, id);
    // the lab's nullread and its hostile copy: one cause, two hosts
    assert.deepEqual(cluster.perHost.map((h: { host: string }) => h.host).sort(), [
      "evil",
      "odd-5",
    ]);
    assert.equal(cluster.count, 2);
    assert.ok(cluster.perDay.length === 1 && cluster.bestExample >= 1);
    const reports = (
      await server.inject({ method: "GET", url: `/api/clusters/${id}/reports` })
    ).json();
    assert.equal(reports.total, 2);
    assert.equal(reports.reports[0].host, "evil"); // newest first
    assert.ok(reports.reports.some((r: ReportSummary) => r.id === cluster.bestExample));
    const missing = await server.inject({ method: "GET", url: "/api/clusters/999999" });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, "not-found");
    assert.equal(
      (await server.inject({ method: "GET", url: "/api/clusters/999999/reports" })).statusCode,
      404,
    );
    assert.equal(
      (await server.inject({ method: "GET", url: "/api/reports/999999" })).statusCode,
      404,
    );
    assert.equal(
      (await server.inject({ method: "GET", url: "/api/clusters/abc" })).statusCode,
      400,
    );
    // a URL the router cannot decode: still the contract's error shape
    const undecodable = await server.inject({ method: "GET", url: "/api/clusters/%E0" });
    assert.equal(undecodable.statusCode, 400);
    assert.deepEqual(Object.keys(undecodable.json()), ["error"]);
    assert.deepEqual(Object.keys(undecodable.json().error), ["code", "message"]);
    assert.equal(undecodable.json().error.code, "bad-request");
  });

  it("PATCH sets status and note; what it leaves out stays; fixed-in needs its version", async () => {
    const id = (await server.inject({ method: "GET", url: "/api/clusters?limit=1" })).json()
      .clusters[0].id;
    const triaged = await server.inject({
      method: "PATCH",
      url: `/api/clusters/${id}`,
      payload: { status: "triaged", note: "looking" },
    });
    assert.equal(triaged.statusCode, 200, triaged.body);
    assert.equal(triaged.json().status, "triaged");
    assert.equal(triaged.json().note, "looking");
    const fixed = (
      await server.inject({
        method: "PATCH",
        url: `/api/clusters/${id}`,
        payload: { status: "fixed-in", fixedIn: "6.1.90" },
      })
    ).json();
    assert.equal(fixed.status, "fixed-in");
    assert.equal(fixed.fixedIn, "6.1.90");
    assert.equal(fixed.note, "looking");
    const noVersion = await server.inject({
      method: "PATCH",
      url: `/api/clusters/${id}`,
      payload: { status: "new" },
    });
    assert.equal(noVersion.statusCode, 200);
    const other = (await server.inject({ method: "GET", url: "/api/clusters?limit=2" })).json()
      .clusters[1].id;
    const missingVersion = await server.inject({
      method: "PATCH",
      url: `/api/clusters/${other}`,
      payload: { status: "fixed-in" },
    });
    assert.equal(missingVersion.statusCode, 400);
    // a version with another status would be dropped without a word: refused
    const strayVersion = await server.inject({
      method: "PATCH",
      url: `/api/clusters/${id}`,
      payload: { status: "triaged", fixedIn: "6.2" },
    });
    assert.equal(strayVersion.statusCode, 400);
    assert.match(strayVersion.json().error.message, /fixedIn goes with the status fixed-in/);
    const badStatus = await server.inject({
      method: "PATCH",
      url: `/api/clusters/${id}`,
      payload: { status: "done" },
    });
    assert.equal(badStatus.statusCode, 400);
  });

  it("lists reports by host and cluster; facets list the values", async () => {
    const byHost = (await server.inject({ method: "GET", url: "/api/reports?host=evil" })).json();
    assert.equal(byHost.total, 1);
    const r = byHost.reports[0] as ReportSummary;
    assert.equal(r.host, "evil");
    const byCluster = (
      await server.inject({ method: "GET", url: `/api/reports?cluster=${r.cluster}` })
    ).json();
    assert.ok((byCluster.reports as ReportSummary[]).every((x) => x.cluster === r.cluster));
    const facets = (await server.inject({ method: "GET", url: "/api/facets" })).json();
    assert.ok(facets.hosts.includes("evil"));
    assert.ok(facets.kinds.includes("null-deref"));
    assert.ok(facets.releases.length >= 1);
  });

  it("hostile strings from a report stay JSON text: the comm with its bidi override round-trips", async () => {
    const id = (await server.inject({ method: "GET", url: "/api/reports?host=evil" })).json()
      .reports[0].id;
    const r = await server.inject({ method: "GET", url: `/api/reports/${id}` });
    assert.match(String(r.headers["content-type"]), /^application\/json/);
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.equal(r.json().report.task.comm, HOSTILE);
    assert.equal(r.json().source.text, hostileLog);
    // a JSON string value, byte for byte (no HTML escaping needed or done: it is not HTML)
    assert.ok(r.body.includes(`"comm":${JSON.stringify(HOSTILE)}`));
    const analysed = await server.inject({
      method: "POST",
      url: "/api/analyze",
      payload: hostileLog,
      headers: { "content-type": "text/plain" },
    });
    assert.match(String(analysed.headers["content-type"]), /^application\/json/);
    assert.equal(analysed.json().reports[0].task.comm, HOSTILE);
  });
});

describe("server: analyze", () => {
  let server: FastifyInstance;
  before(async () => {
    ({ app: server } = await app());
  });

  it("text: exactly what `crashlens analyze --json -` prints, and nothing is stored", async () => {
    const r = await server.inject(text(xfsLog, "/api/analyze"));
    assert.equal(r.statusCode, 200);
    const printed = await cli(["analyze", "--json", "-"], { stdin: xfsLog });
    assert.equal(printed.code, 0);
    assert.equal(r.body, printed.stdout);
    const json = await server.inject({
      method: "POST",
      url: "/api/analyze",
      payload: { text: xfsLog },
    });
    assert.equal(json.body, printed.stdout);
    assert.equal((await server.inject({ method: "GET", url: "/api/reports" })).json().total, 0);
  });

  it("a dump: what `crashlens analyze --json FILE` prints for it (the name given as ?name=)", async () => {
    const r = await server.inject({
      method: "POST",
      url: `/api/analyze?name=${encodeURIComponent(dumpPath)}`,
      payload: dumpBytes,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(r.statusCode, 200, r.body);
    const printed = await cli(["analyze", "--json", dumpPath]);
    assert.equal(r.body, printed.stdout);
  });
});

describe("server: auth", () => {
  it("local mode: no token in the store and loopback, every request is admin", async () => {
    const { app: server } = await app();
    const health = (await server.inject({ method: "GET", url: "/api/health" })).json();
    assert.deepEqual(
      { ...health, version: "" },
      { ok: true, version: "", store: "sqlite", auth: "none", role: "admin" },
    );
  });

  it("not loopback and no token: 401 (no local mode)", async () => {
    const { app: server } = await app({ loopback: false });
    const r = await server.inject({ method: "GET", url: "/api/health" });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json().error.code, "unauthorized");
  });

  it("token mode: 401 without or with a wrong token, 403 below the route's role, roles as the table says", async () => {
    const { app: server, store, tempDir } = await app();
    const secrets: Record<string, string> = {};
    for (const role of ["ingest", "read", "admin"] as const) {
      secrets[role] = newTokenSecret();
      await store.createToken({ name: role, role, hash: tokenHash(secrets[role]) });
    }
    const as = (role: string) => ({ authorization: `Bearer ${secrets[role]}` });
    const none = await server.inject({ method: "GET", url: "/api/clusters" });
    assert.equal(none.statusCode, 401);
    assert.match(none.json().error.message, /Authorization: Bearer/);
    const wrong = await server.inject({
      method: "GET",
      url: "/api/clusters",
      headers: { authorization: `Bearer ${newTokenSecret()}` },
    });
    assert.equal(wrong.statusCode, 401);
    const health = (
      await server.inject({ method: "GET", url: "/api/health", headers: as("ingest") })
    ).json();
    assert.equal(health.auth, "token");
    assert.equal(health.role, "ingest");
    const ingested = await server.inject(text(xfsLog, "/api/reports?host=a", as("ingest")));
    assert.equal(ingested.statusCode, 200);
    const id = ingested.json().reports[0].cluster;
    const cases: Array<[string, string, string, number]> = [
      ["ingest", "GET", "/api/clusters", 403],
      ["ingest", "POST", "/api/analyze", 403],
      ["read", "GET", "/api/clusters", 200],
      ["read", "GET", `/api/clusters/${id}`, 200],
      ["read", "GET", "/api/facets", 200],
      ["read", "POST", "/api/reports?host=r", 403],
      ["read", "POST", "/api/analyze", 200],
      ["read", "PATCH", `/api/clusters/${id}`, 403],
      ["admin", "PATCH", `/api/clusters/${id}`, 200],
      ["admin", "GET", "/api/reports", 200],
    ];
    for (const [role, method, url, status] of cases) {
      const payload =
        method === "PATCH"
          ? JSON.stringify({ status: "ignored" })
          : method === "POST"
            ? xfsLog
            : undefined;
      const type = method === "PATCH" ? "application/json" : "text/plain";
      const r = await server.inject({
        method: method as "GET",
        url,
        payload,
        headers: { ...as(role), ...(payload ? { "content-type": type } : {}) },
      });
      assert.equal(r.statusCode, status, `${role} ${method} ${url}: ${r.body}`);
      if (status === 403) assert.equal(r.json().error.code, "forbidden");
    }
    // refused before the body is read: a dump from a caller without a token leaves no file
    const dump = await server.inject({
      method: "POST",
      url: "/api/reports?host=a",
      payload: dumpBytes,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(dump.statusCode, 401);
    assert.deepEqual(leftovers(tempDir), []);
    // the OpenAPI document is public
    assert.equal(
      (await server.inject({ method: "GET", url: "/api/openapi.json" })).statusCode,
      200,
    );
  });

  it("local mode: a token that is sent must be known; buildApp is not local unless told", async () => {
    const { app: server } = await app();
    const madeUp = await server.inject({
      method: "GET",
      url: "/api/health",
      headers: { authorization: `Bearer ${newTokenSecret()}` },
    });
    assert.equal(madeUp.statusCode, 401);
    assert.match(madeUp.json().error.message, /not known/);
    const store = await SqliteStore.open(join(root, `fleet-${++stores}.db`));
    const plain = await buildApp({ store, rateLimit: false, uiDir: join(root, "no-ui") });
    opened.push(async () => {
      await plain.close();
      await store.close();
    });
    assert.equal((await plain.inject({ method: "GET", url: "/api/health" })).statusCode, 401);
  });

  it("local mode ends within a second of a token made while the server runs", async () => {
    const { app: server, store } = await app();
    const health = () => server.inject({ method: "GET", url: "/api/health" });
    assert.equal((await health()).statusCode, 200);
    await store.createToken({ name: "late", role: "read", hash: tokenHash(newTokenSecret()) });
    await new Promise((done) => setTimeout(done, 1100));
    assert.equal((await health()).statusCode, 401);
  });

  it("local mode answers only loopback names, and no foreign origin (DNS rebinding, CSRF)", async () => {
    const { app: server } = await app();
    const health = (headers: Record<string, string>) =>
      server.inject({ method: "GET", url: "/api/health", headers });
    for (const host of ["localhost:80", "127.0.0.1:80", "[::1]:80", "LOCALHOST"])
      assert.equal((await health({ host })).statusCode, 200, host);
    const rebound = await health({ host: "evil.example:80" });
    assert.equal(rebound.statusCode, 403);
    assert.match(rebound.json().error.message, /addressed to 127\.0\.0\.1, \[::1\] or localhost/);
    const foreign = await health({ host: "localhost:80", origin: "http://evil.example" });
    assert.equal(foreign.statusCode, 403);
    assert.equal(foreign.json().error.code, "forbidden");
    assert.equal((await health({ host: "localhost:80", origin: "null" })).statusCode, 403);
    assert.equal((await health({ host: "localhost", origin: "http://localhost" })).statusCode, 200);
    const post = await server.inject(
      text(xfsLog, "/api/reports?host=csrf", { origin: "https://evil.example" }),
    );
    assert.equal(post.statusCode, 403);
    assert.equal((await server.inject({ method: "GET", url: "/api/reports" })).json().total, 0);
  });

  it("token mode: a state-changing request from a foreign origin is refused", async () => {
    const { app: server, store } = await app();
    const secret = newTokenSecret();
    await store.createToken({ name: "ops", role: "admin", hash: tokenHash(secret) });
    const auth = { authorization: `Bearer ${secret}`, host: "crash.example.org" };
    const foreign = await server.inject(
      text(xfsLog, "/api/reports?host=a", { ...auth, origin: "https://evil.example" }),
    );
    assert.equal(foreign.statusCode, 403);
    const own = await server.inject(
      text(xfsLog, "/api/reports?host=a", { ...auth, origin: "https://crash.example.org" }),
    );
    assert.equal(own.statusCode, 200, own.body);
    const cluster = own.json().reports[0].cluster;
    const patch = await server.inject({
      method: "PATCH",
      url: `/api/clusters/${cluster}`,
      payload: { status: "ignored" },
      headers: { ...auth, origin: "http://evil.example" },
    });
    assert.equal(patch.statusCode, 403);
    // reading: any host name (a server behind a name), a foreign page cannot read the answer
    const read = await server.inject({
      method: "GET",
      url: "/api/clusters",
      headers: { ...auth, origin: "http://evil.example" },
    });
    assert.equal(read.statusCode, 200);
  });

  it("unknown API paths are 404 for every role", async () => {
    const uiDir = join(root, "ui-for-404");
    mkdirSync(uiDir, { recursive: true });
    writeFileSync(join(uiDir, "index.html"), "<!doctype html>");
    const { app: server, store } = await app({ uiDir });
    for (const role of ["ingest", "read", "admin"] as const) {
      const secret = newTokenSecret();
      await store.createToken({ name: role, role, hash: tokenHash(secret) });
      const r = await server.inject({
        method: "GET",
        url: "/api/nothing/here",
        headers: { authorization: `Bearer ${secret}` },
      });
      assert.equal(r.statusCode, 404, `${role}: ${r.body}`);
      assert.equal(r.json().error.code, "not-found");
    }
  });

  it("a 500 names no internals: a generic message, the detail only in the log", async () => {
    const { app: server } = await app({
      analyzer: {
        ...inProcessAnalyzer,
        analyzeTextJson: () =>
          Promise.reject(new CrashlensError("os", "cannot read /srv/secret/place (EIO)")),
      },
    });
    const r = await server.inject(text("anything\n", "/api/analyze"));
    assert.equal(r.statusCode, 500);
    assert.equal(r.json().error.code, "internal");
    assert.doesNotMatch(r.body, /secret|EIO/);
  });

  it("rate limit: per address without a token, 429 in the error shape; made-up tokens buy nothing", async () => {
    const { app: server } = await app({ rateLimit: { max: 3, windowMs: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await server.inject({ method: "GET", url: "/api/health" })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const r = await server.inject({ method: "GET", url: "/api/health" });
    assert.equal(r.json().error.code, "rate-limit");
    assert.match(r.json().error.message, /more than 3 requests/);
    // an invented token is no new budget: the address's is spent
    const invented = await server.inject({
      method: "GET",
      url: "/api/health",
      headers: { authorization: `Bearer ${newTokenSecret()}` },
    });
    assert.equal(invented.statusCode, 429);
    // another address has its own
    const elsewhere = await server.inject({
      method: "GET",
      url: "/api/health",
      remoteAddress: "127.0.0.2",
    });
    assert.equal(elsewhere.statusCode, 200);
    // the UI is not counted
    assert.equal((await server.inject({ method: "GET", url: "/" })).statusCode, 200);
  });

  it("rate limit with tokens: one token shared by a fleet, each machine its own budget", async () => {
    const { app: server, store } = await app({ rateLimit: { max: 2, windowMs: 60_000 } });
    const secret = newTokenSecret();
    await store.createToken({ name: "fleet", role: "ingest", hash: tokenHash(secret) });
    const from = (remoteAddress: string, token = secret) =>
      server.inject({
        method: "GET",
        url: "/api/health",
        remoteAddress,
        headers: { authorization: `Bearer ${token}` },
      });
    const one: number[] = [];
    for (let i = 0; i < 3; i++) one.push((await from("10.0.0.1")).statusCode);
    assert.deepEqual(one, [200, 200, 429]);
    assert.equal((await from("10.0.0.2")).statusCode, 200);
    const guesses: number[] = [];
    for (let i = 0; i < 3; i++) guesses.push((await from("10.0.0.3", newTokenSecret())).statusCode);
    assert.deepEqual(guesses, [401, 401, 429]);
  });
});

describe("server: OpenAPI, UI, headers", () => {
  it("the OpenAPI document has every route of the role table, with its methods", async () => {
    const { app: server } = await app();
    const doc = (await server.inject({ method: "GET", url: "/api/openapi.json" })).json();
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.info.title, "crashlens fleet API");
    for (const key of Object.keys(routeRoles)) {
      if (key === "GET /api/openapi.json") continue;
      const [method, url] = key.split(" ") as [string, string];
      const path = url.replace(/:(\w+)/g, "{$1}");
      assert.ok(doc.paths[path]?.[method.toLowerCase()], `${key} is documented`);
    }
    const list = doc.paths["/api/clusters"].get;
    assert.ok(list.parameters.some((p: { name: string }) => p.name === "q"));
    assert.ok(list.responses["200"].content["application/json"].schema.properties.clusters);
    assert.ok(doc.paths["/api/reports"].post.requestBody.content["text/plain"]);
  });

  it("serves the built UI, index.html for deep links, JSON 404 under /api/, headers everywhere", async () => {
    const uiDir = join(root, "ui-built");
    mkdirSync(join(uiDir, "assets"), { recursive: true });
    writeFileSync(
      join(uiDir, "index.html"),
      '<!doctype html><script type="module" src="/assets/app.js"></script>',
    );
    writeFileSync(join(uiDir, "assets", "app.js"), "console.log('ui')");
    const { app: server } = await app({ uiDir });
    for (const url of ["/", "/clusters/12", "/reports/5", "/paste"]) {
      const r = await server.inject({ method: "GET", url });
      assert.equal(r.statusCode, 200, url);
      assert.match(String(r.headers["content-type"]), /^text\/html/);
      assert.match(r.body, /assets\/app\.js/);
      assert.match(String(r.headers["content-security-policy"]), /default-src 'self'/);
      assert.doesNotMatch(String(r.headers["content-security-policy"]), /unsafe/);
      assert.equal(r.headers["x-content-type-options"], "nosniff");
      assert.equal(r.headers["referrer-policy"], "no-referrer");
    }
    const asset = await server.inject({ method: "GET", url: "/assets/app.js" });
    assert.equal(asset.body, "console.log('ui')");
    assert.match(String(asset.headers["content-type"]), /javascript/);
    const api = await server.inject({ method: "GET", url: "/api/nothing/here" });
    assert.equal(api.statusCode, 404);
    assert.deepEqual(Object.keys(api.json().error), ["code", "message"]);
    assert.equal(api.headers["referrer-policy"], "no-referrer");
    const post = await server.inject({
      method: "POST",
      url: "/clusters",
      payload: "x",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(post.statusCode, 404);
  });

  it("without a built UI, / says so in a short page", async () => {
    const { app: server } = await app({ uiDir: join(root, "nowhere") });
    const r = await server.inject({ method: "GET", url: "/" });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /web UI was not built/);
    assert.equal(r.headers["x-content-type-options"], "nosniff");
  });
});
