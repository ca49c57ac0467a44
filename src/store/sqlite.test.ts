/**
 * The SQLite store on real inputs: every committed lab log, seed and real-world case, analysed
 * by crashlens and ingested into a temporary database file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { CrashlensError } from "../errors.js";
import { reportsOfText } from "./ingest.js";
import { type AnalysedInput, analysedInputs, reportsOf } from "./inputs.case.js";
import { SqliteStore } from "./sqlite.js";
import type { IngestResult } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "crashlens-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

describe("store/sqlite: every real input", () => {
  let inputs: AnalysedInput[];
  let store: SqliteStore;
  let path: string;
  const acks = new Map<string, IngestResult[]>();
  before(async () => {
    inputs = await analysedInputs();
    path = freshPath();
    store = await SqliteStore.open(path);
    for (const input of inputs) {
      const results: IngestResult[] = [];
      for (const r of input.reports) results.push(await store.ingest(r));
      acks.set(input.name, results);
    }
  });
  after(() => store.close());

  const allReports = () => inputs.flatMap((i) => i.reports);
  const allAcks = () => [...acks.values()].flat();

  it("stores each report once, runs its migrations and uses WAL and FTS5", async () => {
    const total = allReports().length;
    assert.ok(total > 250, `${total}`);
    assert.equal(allAcks().filter((a) => a.duplicate).length, 0);
    assert.equal(new Set(allAcks().map((a) => a.id)).size, total);
    assert.equal(store.fullText, true);
    const raw = new Database(path, { readonly: true });
    try {
      assert.deepEqual(raw.prepare("SELECT version FROM schema_migrations").all(), [
        { version: 1 },
      ]);
      assert.equal(raw.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(
        raw.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM reports").get()?.n,
        total,
      );
    } finally {
      raw.close();
    }
  });

  it("groups them: lab pairs of both architectures together, different bugs apart", async () => {
    const { total, clusters } = await store.listClusters({ limit: 1000, sort: "count" });
    // measured: 258 reports from 222 inputs with a crash → 248 clusters, 10 of two reports
    assert.equal(total, clusters.length);
    assert.equal(
      clusters.reduce((n, c) => n + c.count, 0),
      allReports().length,
    );
    const pairs = clusters.filter((c) => c.count > 1);
    assert.deepEqual(pairs.map((c) => c.function).sort(), [
      "VNetBridgeReceiveFromVNet",
      "buggy_check_state",
      "buggy_poll_hw",
      "buggy_read_status",
      "buggy_sync_with_worker",
      "buggy_worker_fn",
      "build_sched_domains",
      "get_process_name",
      "radeon_read_ring_rptr",
      "tegra_qspi_isr_thread",
    ]);
    const [x86] = acks.get("lab/x86_64/nullread") ?? [];
    const [arm] = acks.get("lab/arm64/nullread") ?? [];
    assert.equal(x86?.cluster, arm?.cluster);
    const hung = acks.get("lab/x86_64/hung") ?? [];
    assert.notEqual(hung[0]?.cluster, hung[1]?.cluster);
  });

  it("a report submitted again is stored once and says duplicate", async () => {
    const sample = reportsOf(inputs, "lab/x86_64/hung");
    const before = (await store.listClusters({ limit: 1000 })).clusters.reduce(
      (n, c) => n + c.count,
      0,
    );
    for (const [i, r] of sample.entries()) {
      // the same content with other line ends (the lab logs are CRLF) is the same report
      const text = (r.source as { text: string }).text;
      assert.match(text, /\r\n/);
      const again = await store.ingest({
        ...r,
        source: { kind: "text", text: text.replace(/\r\n/g, "\n") },
      });
      assert.deepEqual(again, { ...acks.get("lab/x86_64/hung")?.[i], duplicate: true });
    }
    const after = (await store.listClusters({ limit: 1000 })).clusters.reduce(
      (n, c) => n + c.count,
      0,
    );
    assert.equal(after, before);
  });

  it("getReport returns what was stored", async () => {
    const [ack] = acks.get("lab/arm64/nullread") ?? [];
    const stored = await store.getReport(ack?.id ?? 0);
    const original = reportsOf(inputs, "lab/arm64/nullread")[0];
    assert.equal(stored?.host, "lab/arm64/nullread");
    assert.deepEqual(stored?.source, original?.source);
    assert.deepEqual(stored?.report, JSON.parse(JSON.stringify(original?.report)));
    assert.equal(await store.getReport(987654), undefined);
  });

  it("a cluster's counts per day, host and release, first and last seen, best example, paths", async () => {
    const [ack] = acks.get("lab/x86_64/nullread") ?? [];
    const cluster = await store.getCluster(ack?.cluster ?? 0);
    assert.ok(cluster);
    assert.equal(cluster.count, 2);
    assert.equal(cluster.status, "new");
    assert.deepEqual(cluster.perRelease, [
      { release: "6.1.0-56-cloud-amd64", count: 1 },
      { release: "6.1.0-56-cloud-arm64", count: 1 },
    ]);
    assert.deepEqual(cluster.perHost.map((h) => h.host).sort(), [
      "lab/arm64/nullread",
      "lab/x86_64/nullread",
    ]);
    assert.equal(
      cluster.perDay.reduce((n, d) => n + d.count, 0),
      2,
    );
    assert.ok(cluster.firstSeen < cluster.lastSeen);
    assert.equal(cluster.paths.length, 2);
    assert.ok([acks.get("lab/arm64/nullread")?.[0]?.id, ack?.id].includes(cluster.bestExample));
    assert.deepEqual(cluster.knownBugs, []); // an out-of-tree module matches no record
  });

  it("filters by kind, module, release, host and time; sorts; pages", async () => {
    const hung = await store.listClusters({ kind: "hung-task", limit: 1000 });
    assert.ok(hung.clusters.every((c) => c.kind === "hung-task"));
    assert.ok(hung.total >= 3);
    const buggy = await store.listClusters({ module: "buggy", limit: 1000 });
    assert.ok(buggy.clusters.every((c) => c.module === "buggy"));
    // the twelve x86-64 runs give 13 reports: 12 in the test module (SysRq-c is not), hung has 2
    assert.equal(buggy.total, 12);
    const arm = await store.listClusters({ release: "6.1.0-56-cloud-arm64" });
    assert.equal(arm.total, 5); // the four arm64 runs; hung has two tasks
    const host = await store.listClusters({ host: "lab/arm64/bugon" });
    assert.equal(host.total, 1);
    const all = await store.listClusters({ sort: "first-seen", limit: 1000 });
    const window = await store.listClusters({
      from: all.clusters[0]?.firstSeen,
      to: all.clusters[0]?.firstSeen,
    });
    assert.equal(window.total, 1);
    const page1 = await store.listClusters({ sort: "title", limit: 10 });
    const page2 = await store.listClusters({ sort: "title", limit: 10, offset: 10 });
    assert.equal(page1.clusters.length, 10);
    assert.equal(page2.clusters.length, 10);
    assert.ok((page1.clusters.at(-1)?.title ?? "") <= (page2.clusters[0]?.title ?? ""));
    const byCount = await store.listClusters({ sort: "count", limit: 1 });
    assert.equal(byCount.clusters[0]?.count, 2);
  });

  it("searches the text: words, culprits, operators taken as text", async () => {
    const vfio = await store.listClusters({ text: "vfio_dma_do_unmap" });
    assert.ok(vfio.clusters.some((c) => c.function === "vfio_dma_do_unmap"));
    const none = await store.listClusters({ text: "zzzz-no-such-word" });
    assert.equal(none.total, 0);
    // FTS5 syntax in the query is searched for, not run
    const quoted = await store.listClusters({ text: 'buggy_read_status" OR "' });
    assert.ok(quoted.total >= 0);
    const op = await store.listClusters({ text: "NEAR( AND * -" });
    assert.ok(op.total >= 0);
  });

  it("a cluster's status and note, fixed-in with its version", async () => {
    const [ack] = acks.get("lab/x86_64/bugon") ?? [];
    const id = ack?.cluster ?? 0;
    await store.setClusterStatus(id, "triaged", "buggy module, lab only");
    assert.equal((await store.getCluster(id))?.status, "triaged");
    await store.setClusterStatus(id, "fixed-in", "fixed by the next build", "6.1.193");
    const cluster = await store.getCluster(id);
    assert.equal(cluster?.status, "fixed-in");
    assert.equal(cluster?.fixedIn, "6.1.193");
    assert.equal(cluster?.note, "fixed by the next build");
    await assert.rejects(store.setClusterStatus(id, "fixed-in", ""), CrashlensError);
    await assert.rejects(store.setClusterStatus(id, "bogus" as never, ""), CrashlensError);
    await assert.rejects(store.setClusterStatus(424242, "ignored", ""), /no cluster/);
  });

  it("recluster over the stored reports gives the same clusters and keeps statuses", async () => {
    const before = await store.listClusters({ limit: 1000, sort: "title" });
    const result = await store.recluster();
    assert.equal(result.reports, allReports().length);
    assert.equal(result.clusters, before.total);
    assert.equal(result.moved, 0);
    const after = await store.listClusters({ limit: 1000, sort: "title" });
    assert.deepEqual(after, before);
  });

  it("a rule change is a recluster: callers in the key split the lab pairs, the default joins them", async () => {
    const [x86] = acks.get("lab/x86_64/nullread") ?? [];
    const [arm] = acks.get("lab/arm64/nullread") ?? [];
    const bugon = acks.get("lab/x86_64/bugon")?.[0]?.cluster ?? 0;
    const before = await store.listClusters({ limit: 1000, sort: "title" });
    const stricter = await SqliteStore.open(path, { clusterRules: { callerFrames: 2 } });
    try {
      const split = await stricter.recluster();
      assert.ok(split.clusters > before.total, `${split.clusters}`);
      assert.ok(split.moved > 0);
      const a = await stricter.getReport(x86?.id ?? 0);
      const b = await stricter.getReport(arm?.id ?? 0);
      assert.notEqual(a?.cluster, b?.cluster);
    } finally {
      await stricter.close();
    }
    // back to the default rules: the same clusters as before, under their old ids, with the
    // status written on one of them kept
    const back = await store.recluster();
    assert.equal(back.clusters, before.total);
    assert.deepEqual(await store.listClusters({ limit: 1000, sort: "title" }), before);
    assert.equal((await store.getCluster(bugon))?.status, "fixed-in");
  });

  it("reopening the file keeps everything and runs no migration twice", async () => {
    const other = await SqliteStore.open(path);
    try {
      const { total } = await other.listClusters();
      assert.equal(total, (await store.listClusters()).total);
    } finally {
      await other.close();
    }
  });
});

describe("store/sqlite: hostile text and limits", () => {
  const hostile = [
    "'); DROP TABLE reports;--",
    "<script>alert(1)</script>",
    '\u202e\x1b[31mred\x1b[0m %_\\ "quoted"',
  ];

  for (const search of ["fts5", "like"] as const)
    it(`stores and returns hostile comm, host and labels verbatim (search: ${search})`, async () => {
      const store = await SqliteStore.open(freshPath(), { search });
      assert.equal(store.fullText, search === "fts5");
      try {
        const lab = (await analysedInputs()).find((i) => i.name === "lab/x86_64/nullread");
        assert.ok(lab);
        for (const evil of hostile) {
          const text = lab.text.replace(/\bComm: \S+/g, `Comm: ${evil}`);
          const [report] = await reportsOfText({ text, host: evil, labels: { [evil]: evil } });
          assert.ok(report);
          const ack = await store.ingest(report);
          const stored = await store.getReport(ack.id);
          assert.equal(stored?.host, evil);
          assert.deepEqual(stored?.labels, { [evil]: evil });
          // the parser takes the comm as printed (up to " Tainted:"), hostile characters and all
          const comm = report.report.task.comm ?? "";
          // (ANSI colour is removed from log lines before parsing: that one is checked in host and labels)
          if (!evil.includes("\x1b")) assert.ok(comm.length > 2 && evil.startsWith(comm), comm);
          assert.equal(stored?.report.task.comm, report.report.task.comm);
          assert.ok(stored?.source.kind === "text" && stored.source.text.includes(evil));
          const byHost = await store.listClusters({ host: evil });
          assert.equal(byHost.total, 1);
          // LIKE and FTS5 special characters are text
          const found = await store.listClusters({ text: evil });
          assert.ok(found.total >= 1, evil);
        }
        const again = await store.listClusters({ limit: 100 });
        assert.equal(
          again.clusters.reduce((n, c) => n + c.count, 0),
          hostile.length,
        );
      } finally {
        await store.close();
      }
    });

  it("refuses a body over the limit with a clear error, and stores nothing", async () => {
    const store = await SqliteStore.open(freshPath(), { maxBodyBytes: 1000 });
    try {
      const [report] =
        (await analysedInputs()).find((i) => i.name === "lab/x86_64/gpf")?.reports ?? [];
      assert.ok(report);
      await assert.rejects(store.ingest(report), (e: unknown) => {
        assert.ok(e instanceof CrashlensError);
        assert.equal(e.code, "limit");
        assert.match(e.message, /report body is \d+ bytes, more than the limit of 1000/);
        return true;
      });
      await assert.rejects(
        store.ingest({ ...report, source: { kind: "text", text: "" }, host: "h".repeat(256) }),
        /host name is 256 bytes, more than the limit of 255/,
      );
      assert.equal((await store.listClusters()).total, 0);
    } finally {
      await store.close();
    }
  });
});
