/**
 * @module store/contract.case
 * What every store must do, on every committed real input: the one test suite both the SQLite
 * and the PostgreSQL store run (sqlite.test.ts, postgres.conformance.test.ts), so the two
 * cannot differ in semantics. Also `storeSnapshot`, everything a store answers about its
 * contents, to compare two stores holding the same reports.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CrashlensError } from "../errors.js";
import type { ClusterRules } from "./cluster.js";
import { compareText, searchWords, sha256Hex } from "./common.js";
import { reportsOfText } from "./ingest.js";
import { type AnalysedInput, analysedInputs, reportsOf } from "./inputs.case.js";
import type { IngestResult, Store } from "./types.js";

/** The options every store takes, for the tests that need other limits or rules. */
export interface ContractStoreOptions {
  maxBodyBytes?: number;
  clusterRules?: ClusterRules;
}

/** A new, empty store. */
export type OpenStore = (options?: ContractStoreOptions) => Promise<Store>;
/** Another handle on the data of `store` (the same file or database), with other options. */
export type ReopenStore = (store: Store, options: ContractStoreOptions) => Promise<Store>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const hostileStrings = [
  "'); DROP TABLE reports;--",
  "<script>alert(1)</script>",
  '\u202e\x1b[31mred\x1b[0m %_\\ "quoted"',
  "a & b | !c <-> d:* 'e' OR -f NEAR(g h)",
] as const;

const secretHash = sha256Hex;

async function ingestAll(
  store: Store,
  inputs: readonly AnalysedInput[],
): Promise<Map<string, IngestResult[]>> {
  const acks = new Map<string, IngestResult[]>();
  for (const input of inputs) {
    const results: IngestResult[] = [];
    for (const r of input.reports) results.push(await store.ingest(r));
    acks.set(input.name, results);
  }
  return acks;
}

export function storeContract(name: string, open: OpenStore, reopen: ReopenStore): void {
  describe(`${name}: every real input`, () => {
    let inputs: AnalysedInput[];
    let store: Store;
    let acks = new Map<string, IngestResult[]>();
    before(async () => {
      inputs = await analysedInputs();
      store = await open();
      acks = await ingestAll(store, inputs);
    });
    after(() => store?.close());

    const allReports = () => inputs.flatMap((i) => i.reports);
    const allAcks = () => [...acks.values()].flat();
    const countAll = async () =>
      (await store.listClusters({ limit: 1000 })).clusters.reduce((n, c) => n + c.count, 0);

    it("stores each report once", async () => {
      const total = allReports().length;
      assert.ok(total > 250, `${total}`);
      assert.equal(allAcks().filter((a) => a.duplicate).length, 0);
      assert.equal(new Set(allAcks().map((a) => a.id)).size, total);
      assert.equal(await countAll(), total);
    });

    it("groups them: lab pairs of both architectures together, different bugs apart", async () => {
      const { total, clusters } = await store.listClusters({ limit: 1000, sort: "count" });
      // measured: 258 reports from 222 inputs with a crash → 246 clusters, 11 of two or more
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
        "lan1qtsn_netdev_start_xmit",
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
      const before = await countAll();
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
      assert.equal(await countAll(), before);
    });

    it("a console log sent again after it grew holds the same reports, not new ones", async () => {
      const input = inputs.find((i) => i.name === "lab/x86_64/hung");
      assert.ok(input);
      const first = acks.get(input.name) ?? [];
      // two different crashes of one log: each its own hash
      assert.equal(first.length, 2);
      const hashes = await Promise.all(first.map(async (a) => (await store.getReport(a.id))?.hash));
      assert.notEqual(hashes[0], hashes[1]);
      const before = await countAll();
      const grown = await reportsOfText({
        text: `${input.text}\n[ 4242.000000] eth0: link up after the crashes\n`,
        host: input.name,
      });
      assert.equal(grown.length, 2);
      for (const [i, r] of grown.entries())
        assert.deepEqual(await store.ingest(r), { ...first[i], duplicate: true });
      assert.equal(await countAll(), before);
    });

    it("getReport returns what was stored", async () => {
      const [ack] = acks.get("lab/arm64/nullread") ?? [];
      const stored = await store.getReport(ack?.id ?? 0);
      const original = reportsOf(inputs, "lab/arm64/nullread")[0];
      assert.equal(stored?.id, ack?.id);
      assert.equal(stored?.cluster, ack?.cluster);
      assert.match(stored?.hash ?? "", /^[0-9a-f]{64}$/);
      assert.equal(stored?.host, "lab/arm64/nullread");
      assert.equal(stored?.receivedAt, original?.receivedAt);
      assert.deepEqual(stored?.labels, {});
      assert.deepEqual(stored?.source, original?.source);
      assert.deepEqual(stored?.report, JSON.parse(JSON.stringify(original?.report)));
      assert.equal(await store.getReport(987654), undefined);
    });

    it("an id that cannot be a row (fraction, negative, beyond 32 bits) names nothing", async () => {
      for (const id of [1.5, 0, -1, 2 ** 31, 2 ** 53 + 2, Number.NaN]) {
        assert.equal(await store.getReport(id), undefined, `${id}`);
        assert.equal(await store.getCluster(id), undefined, `${id}`);
        assert.equal(await store.revokeToken(id), false, `${id}`);
        assert.deepEqual(await store.listReports({ cluster: id }), { total: 0, reports: [] });
        await assert.rejects(store.setClusterStatus(id, "ignored", ""), /no cluster/);
      }
      const far = await store.listReports({ offset: 1e300 });
      assert.deepEqual(far.reports, []);
      assert.equal(far.total, allReports().length);
    });

    it("a cluster's counts per day, host and release, first and last seen, best example, paths", async () => {
      const [ack] = acks.get("lab/x86_64/nullread") ?? [];
      const cluster = await store.getCluster(ack?.cluster ?? 0);
      assert.ok(cluster);
      assert.equal(cluster.count, 2);
      assert.equal(cluster.status, "new");
      assert.equal(cluster.note, "");
      assert.equal(cluster.fixedIn, null);
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
      assert.ok(cluster.perDay.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day)));
      assert.match(cluster.firstSeen, ISO_TIME);
      assert.match(cluster.lastSeen, ISO_TIME);
      assert.ok(cluster.firstSeen < cluster.lastSeen);
      assert.equal(cluster.paths.length, 2);
      assert.ok([acks.get("lab/arm64/nullread")?.[0]?.id, ack?.id].includes(cluster.bestExample));
      assert.deepEqual(cluster.knownBugs, []); // an out-of-tree module matches no record
      assert.equal(await store.getCluster(987654), undefined);
    });

    it("a cluster's known bugs: counted per report, best confidence first", async () => {
      // every cluster whose reports match a known-bug record lists it once, with its reports
      const { clusters } = await store.listClusters({ limit: 1000 });
      let matched = 0;
      for (const summary of clusters) {
        const cluster = await store.getCluster(summary.id);
        for (const bug of cluster?.knownBugs ?? []) {
          matched++;
          assert.ok(bug.reports >= 1 && bug.reports <= summary.count);
          assert.ok(bug.id !== "" && ["exact", "likely", "possible"].includes(bug.confidence));
        }
      }
      assert.ok(matched > 0, "no real input matches a known bug");
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
      // a day given as a date is that day's start, in both stores
      const day = (all.clusters[0]?.firstSeen ?? "").slice(0, 10);
      const fromDay = await store.listClusters({ from: day, limit: 1000 });
      assert.equal(fromDay.total, all.total);
      await assert.rejects(store.listClusters({ from: "yesterday-ish" }), CrashlensError);
      const page1 = await store.listClusters({ sort: "title", limit: 10 });
      const page2 = await store.listClusters({ sort: "title", limit: 10, offset: 10 });
      assert.equal(page1.clusters.length, 10);
      assert.equal(page2.clusters.length, 10);
      assert.ok((page1.clusters.at(-1)?.title ?? "") <= (page2.clusters[0]?.title ?? ""));
      const byCount = await store.listClusters({ sort: "count", limit: 1 });
      // the three RCU stalls of real-world 309, one culprit
      assert.equal(byCount.clusters[0]?.count, 3);
      assert.equal(byCount.clusters[0]?.function, "lan1qtsn_netdev_start_xmit");
      const titles = (await store.listClusters({ sort: "title", limit: 1000 })).clusters.map(
        (c) => c.title,
      );
      assert.deepEqual(titles, [...titles].sort(compareText));
      const lastSeen = (await store.listClusters({ limit: 1000 })).clusters.map((c) => c.lastSeen);
      assert.deepEqual(lastSeen, [...lastSeen].sort().reverse());
      await assert.rejects(store.listClusters({ sort: "bogus" as never }), /unknown sort/);
      await assert.rejects(store.listClusters({ sort: "toString" as never }), /unknown sort/);
    });

    it("searches the text: words, culprits, operators taken as text", async () => {
      const vfio = await store.listClusters({ text: "vfio_dma_do_unmap" });
      assert.ok(vfio.clusters.some((c) => c.function === "vfio_dma_do_unmap"));
      const host = await store.listClusters({ text: "lab/arm64/bugon" });
      assert.ok(host.total >= 1);
      const none = await store.listClusters({ text: "zzzz-no-such-word" });
      assert.equal(none.total, 0);
      // every word must be there
      const both = await store.listClusters({ text: "vfio_dma_do_unmap zzzznosuchword" });
      assert.equal(both.total, 0);
      // query syntax of either engine in the query is searched for, not run
      for (const text of ['buggy_read_status" OR "', "NEAR( AND * -", ...hostileStrings]) {
        const found = await store.listClusters({ text });
        assert.ok(found.total >= 0, text);
      }
      const blank = await store.listClusters({ text: "  \t " });
      assert.equal(blank.total, (await store.listClusters()).total);
      // letters and digits are the words: case, diacritics and punctuation do not matter
      assert.deepEqual(await store.listClusters({ text: "VFIO_DMA_DO_UNMAP" }), vfio);
      assert.deepEqual(await store.listClusters({ text: "vfïo (dma) do-unmap" }), vfio);
      // nothing but punctuation is no word at all: nothing matches
      assert.equal((await store.listClusters({ text: "%%% ;-- '\"" })).total, 0);
      // a word only the log text holds (the "CPU: … Tainted:" line), never a title
      const body = await store.listClusters({ text: "Tainted", limit: 1000 });
      assert.ok(body.total > 20, `${body.total}`);
      const filtered = await store.listClusters({ text: "Tainted", module: "buggy", limit: 1000 });
      assert.ok(filtered.total > 0 && filtered.total <= 12);
    });

    it("lists reports newest first, by cluster and host, paged", async () => {
      const all = await store.listReports({ limit: 5000 });
      assert.equal(all.total, allReports().length);
      assert.equal(all.reports.length, all.total);
      const order = all.reports.map((r) => `${r.receivedAt} ${String(r.id).padStart(9, "0")}`);
      assert.deepEqual(order, [...order].sort().reverse());
      assert.equal((await store.listReports()).reports.length, 50);
      const [ack] = acks.get("lab/x86_64/nullread") ?? [];
      const inCluster = await store.listReports({ cluster: ack?.cluster ?? 0 });
      assert.equal(inCluster.total, 2);
      assert.deepEqual(inCluster.reports.map((r) => r.host).sort(), [
        "lab/arm64/nullread",
        "lab/x86_64/nullread",
      ]);
      const summary = inCluster.reports.find((r) => r.id === ack?.id);
      const original = reportsOf(inputs, "lab/x86_64/nullread")[0]?.report;
      assert.deepEqual(summary, {
        id: ack?.id,
        cluster: ack?.cluster,
        host: "lab/x86_64/nullread",
        labels: {},
        receivedAt: reportsOf(inputs, "lab/x86_64/nullread")[0]?.receivedAt,
        kind: original?.kind,
        title: original?.title,
        release: "6.1.0-56-cloud-amd64",
        culprit: `${original?.culprit?.symbol} [${original?.culprit?.module}]`,
      });
      const byHost = await store.listReports({ host: "lab/x86_64/hung" });
      assert.equal(byHost.total, 2);
      const both = await store.listReports({ host: "lab/x86_64/hung", cluster: ack?.cluster });
      assert.equal(both.total, 0);
      const second = await store.listReports({ limit: 10, offset: 10 });
      assert.deepEqual(second.reports, all.reports.slice(10, 20));
      assert.deepEqual((await store.listReports({ cluster: 987654 })).reports, []);
    });

    it("facets: the distinct kinds, modules, releases and hosts, sorted", async () => {
      const facets = await store.facets();
      const reports = allReports();
      const distinct = (values: Array<string | null | undefined>) =>
        [...new Set(values.filter((v): v is string => v !== null && v !== undefined))].sort(
          compareText,
        );
      assert.deepEqual(facets.kinds, distinct(reports.map((r) => r.report.kind)));
      assert.deepEqual(facets.hosts, distinct(reports.map((r) => r.host)));
      assert.deepEqual(facets.releases, distinct(reports.map((r) => r.report.kernel.release)));
      assert.ok(facets.kinds.includes("hung-task"));
      assert.ok(facets.modules.includes("buggy"));
      assert.deepEqual(facets.modules, [...facets.modules].sort(compareText));
      assert.ok(facets.modules.length > 5);
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
      const listed = (await store.listClusters({ host: "lab/x86_64/bugon" })).clusters[0];
      assert.equal(listed?.status, "fixed-in");
      await assert.rejects(store.setClusterStatus(id, "fixed-in", ""), CrashlensError);
      await assert.rejects(store.setClusterStatus(id, "bogus" as never, ""), CrashlensError);
      await assert.rejects(store.setClusterStatus(424242, "ignored", ""), /no cluster/);
      assert.equal((await store.getCluster(id))?.status, "fixed-in");
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
      const stricter = await reopen(store, { clusterRules: { callerFrames: 2 } });
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

    it("another handle on the same data sees everything", async () => {
      const other = await reopen(store, {});
      try {
        assert.deepEqual(await storeSnapshot(other), await storeSnapshot(store));
      } finally {
        await other.close();
      }
    });
  });

  describe(`${name}: concurrent ingests`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store?.close());

    it("concurrent ingests: the same new report twice at once is stored once", async () => {
      // SQLite commits the ingests of one event-loop turn together; PostgreSQL races on the
      // hash: either way one of the two is new and the other its duplicate, with one id
      const [r] = reportsOf(await analysedInputs(), "lab/x86_64/oom");
      assert.ok(r);
      const fresh = { ...r, host: "concurrent-twin" };
      const others = reportsOf(await analysedInputs(), "lab/arm64/nullread").map((o) => ({
        ...o,
        host: "twin-2",
      }));
      const results = await Promise.all([
        store.ingest(fresh),
        ...others.map((o) => store.ingest(o)),
        store.ingest(fresh),
      ]);
      const twins = [results[0], results.at(-1)];
      assert.equal(twins[0]?.id, twins[1]?.id);
      assert.deepEqual(twins.map((t) => t?.duplicate).sort(), [false, true]);
      assert.equal(new Set(results.map((t) => t.id)).size, 1 + others.length);
    });
  });

  describe(`${name}: a cluster's lists`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store?.close());

    it("lists the 100 hosts with the most reports, and counts them all", async () => {
      const inputs = await analysedInputs();
      const [x86] = reportsOf(inputs, "lab/x86_64/nullread");
      const [arm] = reportsOf(inputs, "lab/arm64/nullread");
      assert.ok(x86 && arm);
      const hosts = Array.from({ length: 105 }, (_, i) => `host-${String(i).padStart(3, "0")}`);
      const acks = [];
      for (const host of hosts) acks.push(await store.ingest({ ...x86, host }));
      // the busiest host: one more report, of the other architecture (the same cluster)
      acks.push(await store.ingest({ ...arm, host: "host-104" }));
      assert.equal(new Set(acks.map((a) => a.cluster)).size, 1);
      const cluster = await store.getCluster(acks[0]?.cluster ?? 0);
      assert.ok(cluster);
      assert.equal(cluster.count, 106);
      assert.equal(cluster.perHost.length, 100);
      assert.equal(cluster.hostCount, 105);
      assert.deepEqual(cluster.perHost[0], { host: "host-104", count: 2 });
      assert.deepEqual(cluster.perHost[1], { host: "host-000", count: 1 });
      assert.equal(cluster.perHost.at(-1)?.host, "host-098");
      assert.equal(cluster.releaseCount, 2);
      assert.equal(cluster.perRelease.length, 2);
      assert.equal(cluster.pathCount, 2);
      assert.deepEqual(
        cluster.paths.map((p) => p.count),
        [105, 1],
      );
    });

    it("known bugs: counted once per report, best confidence kept, best first", async () => {
      const [base] = reportsOf(await analysedInputs(), "lab/x86_64/gpf");
      assert.ok(base);
      const bug = (id: string, confidence: string) => ({ id, subject: `s-${id}`, confidence });
      const perReport: unknown[] = [
        [bug("B", "possible"), bug("A", "possible"), bug("B", "possible")],
        [bug("B", "exact")],
        null,
        { id: "not-a-list", confidence: "exact" },
        [bug("C", "likely"), { subject: "no id" }, { id: "", confidence: "exact" }, "text"],
        [{ ...bug("C", "exact"), subject: "a later subject" }, bug("D", "odd")],
      ];
      let cluster = 0;
      for (const [i, knownBugs] of perReport.entries()) {
        const report = { ...base.report, knownBugs } as typeof base.report;
        cluster = (await store.ingest({ ...base, host: `bugs-${i}`, report })).cluster;
      }
      assert.deepEqual((await store.getCluster(cluster))?.knownBugs, [
        { id: "B", subject: "s-B", confidence: "exact", reports: 2 },
        { id: "C", subject: "s-C", confidence: "exact", reports: 2 },
        { id: "A", subject: "s-A", confidence: "possible", reports: 1 },
        { id: "D", subject: "s-D", confidence: "odd", reports: 1 },
      ]);
    });
  });

  describe(`${name}: search over a long text`, () => {
    it("indexes the same first 512 KiB of distinct words in both stores", async () => {
      const store = await open();
      try {
        const [base] = reportsOf(await analysedInputs(), "lab/x86_64/gpf");
        assert.ok(base);
        // 60000 distinct words of 7 letters (11 bytes each as indexed): about 645 KiB
        const words = Array.from(
          { length: 60_000 },
          (_, i) => `zq${i.toString(36).padStart(5, "0")}`,
        );
        const filler = [];
        for (let i = 0; i < words.length; i += 100)
          filler.push(`[ 9999.000000] filler ${words.slice(i, i + 100).join(" ")}`);
        const text = `${(base.source as { text: string }).text}\n${filler.join("\n")}\n`;
        const long = { ...base, host: "long-text", source: { kind: "text" as const, text } };
        const indexed = new Set(searchWords(long));
        const lastIn = words.findLast((w) => indexed.has(w));
        const firstOut = words.find((w) => !indexed.has(w));
        assert.ok(lastIn && firstOut, "the words must overflow the index");
        assert.ok(words.indexOf(firstOut) > 40_000, firstOut);
        await store.ingest(long);
        for (const [word, found] of [
          [words[0], 1],
          [lastIn, 1],
          [firstOut, 0],
          [words.at(-1), 0],
        ] as const)
          assert.equal((await store.listClusters({ text: word })).total, found, word);
      } finally {
        await store.close();
      }
    });
  });

  describe(`${name}: tokens`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => store?.close());

    it("creates, finds by hash, lists, refuses a taken name or secret, revokes", async () => {
      assert.deepEqual(await store.listTokens(), []);
      const made = [];
      for (const role of ["ingest", "read", "admin"] as const)
        made.push(await store.createToken({ name: `ci-${role}`, role, hash: secretHash(role) }));
      for (const [i, token] of made.entries()) {
        assert.equal(token.role, ["ingest", "read", "admin"][i]);
        assert.match(token.createdAt, ISO_TIME);
        assert.deepEqual(await store.tokenByHash(secretHash(token.role)), token);
      }
      assert.deepEqual(await store.listTokens(), made);
      assert.equal(await store.tokenByHash(secretHash("never made")), undefined);
      await assert.rejects(
        store.createToken({ name: "ci-read", role: "read", hash: secretHash("other") }),
        (e: unknown) => e instanceof CrashlensError && /named "ci-read" exists/.test(e.message),
      );
      await assert.rejects(
        store.createToken({ name: "other", role: "read", hash: secretHash("read") }),
        /secret exists/,
      );
      await assert.rejects(
        store.createToken({ name: "x", role: "root" as never, hash: secretHash("x") }),
        /unknown token role/,
      );
      await assert.rejects(
        store.createToken({ name: "x", role: "read", hash: "not-a-hash" }),
        CrashlensError,
      );
      // a hostile name is kept verbatim
      const evil = await store.createToken({
        name: hostileStrings[1],
        role: "read",
        hash: secretHash("evil"),
      });
      assert.equal((await store.tokenByHash(secretHash("evil")))?.name, hostileStrings[1]);
      const readToken = made[1];
      assert.ok(readToken);
      assert.equal(await store.revokeToken(readToken.id), true);
      assert.equal(await store.revokeToken(readToken.id), false);
      assert.equal(await store.tokenByHash(secretHash("read")), undefined);
      assert.deepEqual(
        (await store.listTokens()).map((t) => t.name),
        ["ci-ingest", "ci-admin", evil.name],
      );
      // the name is free again once revoked
      const again = await store.createToken({
        name: "ci-read",
        role: "read",
        hash: secretHash("read2"),
      });
      assert.ok(again.id > evil.id);
    });
  });

  describe(`${name}: hostile text and limits`, () => {
    it("stores and returns hostile comm, host and labels verbatim, and finds them", async () => {
      const store = await open();
      try {
        await hostileRoundTrip(store);
      } finally {
        await store.close();
      }
    });

    it("refuses a body over the limit with a clear error, and stores nothing", async () => {
      const store = await open({ maxBodyBytes: 1000 });
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
        await assert.rejects(
          store.ingest({
            ...report,
            source: { kind: "text", text: "" },
            labels: { big: "x".repeat(5000) },
          }),
          /labels is \d+ bytes, more than the limit of 4096/,
        );
        await assert.rejects(
          store.ingest({ ...report, source: { kind: "text", text: "" }, receivedAt: "soon" }),
          /not a time/,
        );
        assert.equal((await store.listClusters()).total, 0);
        assert.equal((await store.listReports()).total, 0);
      } finally {
        await store.close();
      }
    });
  });
}

/**
 * A lab crash with each hostile string as its task name, host and label: stored and returned
 * verbatim, found by host and by full-text search.
 */
export async function hostileRoundTrip(store: Store): Promise<void> {
  const lab = (await analysedInputs()).find((i) => i.name === "lab/x86_64/nullread");
  assert.ok(lab);
  for (const evil of hostileStrings) {
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
    assert.deepEqual(
      (await store.listReports({ host: evil })).reports.map((r) => r.id),
      [ack.id],
    );
    // the search engines' special characters are text
    const found = await store.listClusters({ text: evil });
    assert.ok(found.total >= 1, evil);
  }
  assert.equal(
    (await store.listClusters({ limit: 100 })).clusters.reduce((n, c) => n + c.count, 0),
    hostileStrings.length,
  );
  assert.deepEqual((await store.facets()).hosts, [...hostileStrings].sort(compareText));
}

/** Everything a store answers about what it holds: every list, cluster and report. */
export async function storeSnapshot(store: Store): Promise<unknown> {
  const clusters = await store.listClusters({ limit: 1000, sort: "title" });
  const details = [];
  for (const c of clusters.clusters) details.push(await store.getCluster(c.id));
  const reports = await store.listReports({ limit: 1000 });
  const stored = [];
  for (const r of reports.reports) stored.push(await store.getReport(r.id));
  return {
    clusters,
    details,
    reports,
    stored,
    facets: await store.facets(),
    tokens: await store.listTokens(),
  };
}
