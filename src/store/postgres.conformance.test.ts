/**
 * The PostgreSQL store, on a private PostgreSQL cluster started for this file
 * (pg-server.case.ts): the store contract on every committed real input, the same answers
 * as the SQLite store for the same reports, and what only a shared database has: several
 * servers ingesting and migrating at once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import pg from "pg";
import { clusterFacts } from "./cluster.js";
import { contentHash } from "./common.js";
import { hostileStrings, storeContract, storeSnapshot } from "./contract.case.js";
import { reportsOfText } from "./ingest.js";
import { analysedInputs } from "./inputs.case.js";
import { assertNoAcknowledgedLoss } from "./kill.case.js";
import { describeStore, openStore } from "./open.js";
import { type PostgresServer, startPostgres } from "./pg-server.case.js";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { IngestedReport, IngestResult, Store } from "./types.js";

const server: Promise<PostgresServer> = startPostgres();
// a failed start fails every test below with its message (initdb missing, ...)
server.catch(() => undefined);
after(async () => (await server).stop());

const dir = mkdtempSync(join(tmpdir(), "crashlens-store-pg-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const urls = new WeakMap<Store, string>();
async function freshStore(options = {}): Promise<PostgresStore> {
  const url = await (await server).freshDatabase();
  const store = await PostgresStore.open(url, options);
  urls.set(store, url);
  return store;
}

storeContract("store/postgres", freshStore, async (store, options) =>
  PostgresStore.open(urls.get(store) ?? "", options),
);

/** Runs `work` over `items` with at most `width` at a time, results in order. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  });
  await Promise.all(lanes);
  return results;
}

async function sql<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("store/postgres: the same answers as SQLite", () => {
  it("every real input ingested into both: every list, cluster and report equal", async () => {
    const reports = (await analysedInputs()).flatMap((i) => i.reports);
    const sqlite = await SqliteStore.open(join(dir, "same.db"));
    const postgres = await freshStore();
    try {
      for (const r of reports) {
        const [a, b] = [await sqlite.ingest(r), await postgres.ingest(r)];
        assert.deepEqual(b, a);
      }
      await sqlite.setClusterStatus(3, "fixed-in", "note <b>", "6.2");
      await postgres.setClusterStatus(3, "fixed-in", "note <b>", "6.2");
      assert.deepEqual(await storeSnapshot(postgres), await storeSnapshot(sqlite));
      const queries = [
        "buggy",
        "vfio_dma_do_unmap",
        "lab/arm64/bugon",
        "RIP: 0010",
        "NULL pointer",
        "Hardware name: QEMU",
        "Çafé ünïcode",
        "%%%",
        ...hostileStrings,
      ];
      for (const text of queries)
        assert.deepEqual(
          await postgres.listClusters({ text, limit: 1000 }),
          await sqlite.listClusters({ text, limit: 1000 }),
          text,
        );
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});

describe("store/postgres: several servers on one database", () => {
  it("two stores ingesting the same real reports at once: each stored once, one cluster per key", async () => {
    const reports = (await analysedInputs()).flatMap((i) => i.reports);
    const first = await freshStore({ poolSize: 16 });
    const second = await PostgresStore.open(urls.get(first) ?? "", { poolSize: 16 });
    try {
      // every report sent to both servers at the same moment, 32 in flight on each
      const pairs = await inParallel(reports, 32, (r) =>
        Promise.all([first.ingest(r), second.ingest(r)]),
      );
      for (const [i, [a, b]] of pairs.entries()) {
        assert.equal(a.id, b.id, `report ${i}`);
        assert.equal(a.cluster, b.cluster, `report ${i}`);
        assert.equal([a, b].filter((x) => !x.duplicate).length, 1, `report ${i}`);
      }
      const ids = new Set(pairs.map(([a]) => a.id));
      assert.equal(ids.size, reports.length);
      assert.equal((await first.listReports()).total, reports.length);
      const url = urls.get(first) ?? "";
      assert.deepEqual(
        await sql(url, "SELECT key FROM clusters GROUP BY key HAVING count(*) > 1"),
        [],
      );
      // as many clusters as distinct keys, and the same grouping as one store in sequence
      const keys = new Set(reports.map((r) => clusterFacts(r.report, contentHash(r)).key));
      const [clusters] = await sql<{ n: number }>(
        url,
        "SELECT count(*)::integer AS n FROM clusters",
      );
      assert.equal(clusters?.n, keys.size);
      const groups = async (store: Store) =>
        (await store.listClusters({ limit: 1000, sort: "title" })).clusters
          .map((c) => `${c.key} ${c.count}`)
          .sort();
      const sequential = await freshStore();
      try {
        for (const r of reports) await sequential.ingest(r);
        assert.deepEqual(await groups(second), await groups(sequential));
      } finally {
        await sequential.close();
      }
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("a cluster read while another server ingests into it: every part from one snapshot", async () => {
    const reader = await freshStore();
    const writer = await PostgresStore.open(urls.get(reader) ?? "");
    try {
      const inputs = await analysedInputs();
      const pair = [
        ...(inputs.find((i) => i.name === "lab/x86_64/nullread")?.reports ?? []),
        ...(inputs.find((i) => i.name === "lab/arm64/nullread")?.reports ?? []),
      ];
      assert.equal(pair.length, 2);
      const first = await writer.ingest({ ...pair[0], host: "snap-00" } as IngestedReport);
      let writing = true;
      const written = inParallel(
        Array.from({ length: 90 }, (_, i) => i),
        4,
        async (i) => {
          for (const r of pair) await writer.ingest({ ...r, host: `snap-${i + 1}` });
        },
      ).finally(() => {
        writing = false;
      });
      let reads = 0;
      const sum = (rows: Array<{ count: number }>) => rows.reduce((n, r) => n + r.count, 0);
      while (writing || reads === 0) {
        const c = await reader.getCluster(first.cluster);
        assert.ok(c);
        // the row, the per-day, per-host, per-release and path lists agree: one snapshot
        assert.equal(sum(c.perDay), c.count);
        assert.equal(sum(c.perHost), c.count);
        assert.equal(c.perHost.length, c.hostCount);
        assert.equal(sum(c.perRelease), c.count);
        assert.equal(sum(c.paths), c.count);
        reads++;
      }
      await written;
      assert.equal((await reader.getCluster(first.cluster))?.count, 181);
      assert.ok(reads > 5, `${reads} reads`);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it("servers starting together apply each migration once", async () => {
    const url = await (await server).freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(url)));
    try {
      assert.deepEqual(await sql(url, "SELECT version FROM schema_migrations ORDER BY version"), [
        { version: 1 },
        { version: 2 },
      ]);
      const [report] = (await analysedInputs()).find((i) => i.reports.length > 0)?.reports ?? [];
      assert.ok(report);
      const acks = await Promise.all(stores.map((s) => s.ingest(report)));
      assert.equal(acks.filter((a) => !a.duplicate).length, 1);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it("clusters made by older rules are counted as stale until recluster regroups them", async () => {
    const store = await freshStore();
    try {
      const reports = (await analysedInputs()).flatMap((i) => i.reports).slice(0, 5);
      for (const r of reports) await store.ingest(r);
      assert.equal(await store.staleClusters(), 0);
      // what a crashlens of rules version 1 left behind (the hash column follows the key)
      const url = urls.get(store) ?? "";
      await sql(url, "UPDATE clusters SET key = 'v1' || substr(key, 3), key_sha = md5(key)");
      const [counted] = await sql<{ n: string }>(url, "SELECT COUNT(*) AS n FROM clusters");
      const clusters = Number(counted?.n);
      assert.ok(clusters > 1);
      assert.equal(await store.staleClusters(), clusters);
      await store.recluster();
      assert.equal(await store.staleClusters(), 0);
    } finally {
      await store.close();
    }
  });

  it("a recluster while reports arrive: none lost, every one in the cluster of its key", async () => {
    const reports = (await analysedInputs()).flatMap((i) => i.reports);
    const [early, late] = [reports.slice(0, 150), reports.slice(150)];
    const writer = await freshStore();
    const admin = await PostgresStore.open(urls.get(writer) ?? "", {
      clusterRules: { callerFrames: 2 },
    });
    try {
      for (const r of early) await writer.ingest(r);
      const [acks] = await Promise.all([
        inParallel(late, 8, (r) => writer.ingest(r)),
        admin.recluster(),
      ]);
      assert.equal((await writer.listReports()).total, reports.length);
      // the reports that came after the recluster got the default key; a second recluster
      // under the default rules gives the same clusters as a store that never changed rules
      await writer.recluster();
      const ids = new Set((acks as IngestResult[]).map((a) => a.id));
      assert.equal(ids.size, late.length);
      const url = urls.get(writer) ?? "";
      assert.deepEqual(
        await sql(url, "SELECT key FROM clusters GROUP BY key HAVING count(*) > 1"),
        [],
      );
      const keys = new Set(reports.map((r) => clusterFacts(r.report, contentHash(r)).key));
      assert.equal((await writer.listClusters({ limit: 1000 })).total, keys.size);
    } finally {
      await writer.close();
      await admin.close();
    }
  });
});

describe("store/postgres: hostile text PostgreSQL cannot hold as is", () => {
  it("NUL and U+FFFF in the log, the host and the labels come back verbatim, as from SQLite", async () => {
    const lab = (await analysedInputs()).find((i) => i.name === "lab/x86_64/nullread");
    assert.ok(lab);
    const evil = "nul\0here \uffff0 \uffff\uffff end";
    const text = lab.text.replace(/\bComm: \S+/g, "Comm: a\0b").replace(/$/m, ` ${evil}`);
    const [report] = await reportsOfText({
      text,
      host: evil,
      labels: { [evil]: evil },
      receivedAt: "2026-11-02T03:04:05.678Z",
    });
    assert.ok(report);
    const sqlite = await SqliteStore.open(join(dir, "nul.db"));
    const postgres = await freshStore();
    try {
      const check = async (store: Store, ingested: IngestedReport) => {
        const ack = await store.ingest(ingested);
        const stored = await store.getReport(ack.id);
        assert.equal(stored?.host, evil);
        assert.deepEqual(stored?.labels, { [evil]: evil });
        assert.deepEqual(stored?.source, ingested.source);
        assert.deepEqual(stored?.report, JSON.parse(JSON.stringify(ingested.report)));
        assert.equal((await store.listClusters({ host: evil })).total, 1);
        assert.deepEqual((await store.facets()).hosts, [evil]);
        assert.equal((await store.ingest(ingested)).duplicate, true);
        return storeSnapshot(store);
      };
      assert.deepEqual(await check(postgres, report), await check(sqlite, report));
      // the escape itself typed in is text, not an escape
      const near = { ...report, host: evil.replace("\0", "\uffff0") };
      const ack = await postgres.ingest(near);
      assert.equal((await postgres.getReport(ack.id))?.host, near.host);
      assert.equal((await postgres.listClusters({ host: evil })).total, 1);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });
});

describe("store/postgres: a report with more words than a tsvector holds", () => {
  it("is stored whole; its first words are searchable", async () => {
    const [report] =
      (await analysedInputs()).find((i) => i.name === "lab/x86_64/gpf")?.reports ?? [];
    assert.ok(report && report.source.kind === "text");
    // 4 MiB of distinct words after the crash, many of them not ASCII
    const noise = Array.from({ length: 200_000 }, (_, i) => `ж${i.toString(36)}世界`).join(" ");
    const text = `${report.source.text}\n${noise}\n`;
    const big = { ...report, source: { kind: "text" as const, text } };
    const store = await freshStore({ maxBodyBytes: 16 << 20 });
    try {
      const ack = await store.ingest(big);
      const stored = await store.getReport(ack.id);
      assert.equal(stored?.source.kind === "text" && stored.source.text.length, text.length);
      assert.equal((await store.listClusters({ text: report.report.title })).total, 1);
      assert.equal((await store.listClusters({ text: "ж0世界" })).total, 1);
    } finally {
      await store.close();
    }
  });
});

describe("store/postgres: kill -9 mid-batch", () => {
  it("a server killed while ingesting loses no acknowledged report and duplicates none", async () => {
    const url = await (await server).freshDatabase();
    await assertNoAcknowledgedLoss(url, (location) => PostgresStore.open(location));
  });
});

describe("store/open", () => {
  it("opens a URL as PostgreSQL and a path as SQLite; logs no password", async () => {
    const url = await (await server).freshDatabase();
    const pgStore = await openStore(url);
    const fileStore = await openStore(join(dir, "nested", "dir", "open.db"));
    try {
      assert.equal(pgStore.kind, "postgres");
      assert.equal(fileStore.kind, "sqlite");
    } finally {
      await pgStore.close();
      await fileStore.close();
    }
    const secret =
      "postgresql://fleet:s3cr%40t@db.example:5432/crashlens?sslmode=require&password=x";
    const line = describeStore(secret);
    assert.equal(line, "postgres fleet@db.example:5432/crashlens");
    assert.doesNotMatch(describeStore("postgres://u:hunter2@h/db"), /hunter2/);
    assert.match(describeStore("store.db"), /^sqlite \/.*store\.db$/);
    // a server that is not there: a clear error, not a hang
    const port = new URL(url).port;
    await assert.rejects(
      openStore(`postgresql://postgres@127.0.0.1:${Number(port) === 1 ? 2 : 1}/none`),
      /cannot open the PostgreSQL store/,
    );
  });
});
