/**
 * @module store/sqlite
 * The store in one SQLite file (better-sqlite3): versioned migrations run on open, WAL, every
 * statement parameterised, FTS5 for search (every word of the search, see common
 * `searchTokens`, over the words common `searchWords` keeps, as the PostgreSQL store does).
 * `ingest` commits before it resolves: an acknowledged report survives a kill -9 of the
 * process; a write lock another process holds is waited for without blocking the event loop.
 * What both stores share is in store/common; the SQL text is in store/sqlite-schema.
 */
import Database from "better-sqlite3";
import { type ClusterRules, clusterFacts, defaultClusterRules } from "./cluster.js";
import {
  CLUSTER_TOP_ROWS,
  type ClusterDetailRow,
  type ClusterRow,
  checkSort,
  checkStatus,
  checkToken,
  clusterConditions,
  clusterOf,
  clusterSummaryOf,
  currentKeyPrefix,
  DEFAULT_MAX_BODY_BYTES,
  facetColumns,
  ingestRow,
  isRowId,
  page,
  RECLUSTER_PAGE,
  ReclusterRule,
  type ReportSummaryRow,
  reportSummaryOf,
  StoreError,
  StoreLockedError,
  searchTokens,
  searchWords,
  type TokenRow,
  tokenExists,
  tokenOf,
  UNTOUCHED_CLUSTER_SQL,
} from "./common.js";
import { clusterSql, ftsSql, migrations, sortOrders } from "./sqlite-schema.js";
import type {
  Cluster,
  ClusterFilter,
  ClusterStatus,
  ClusterSummary,
  Facets,
  IngestedReport,
  IngestResult,
  ReclusterResult,
  ReportFilter,
  ReportSummary,
  Store,
  StoredReport,
  TokenInfo,
  TokenRole,
} from "./types.js";

export interface SqliteStoreOptions {
  maxBodyBytes?: number;
  /** `like` searches with escaped LIKE patterns even when FTS5 is there (for tests) */
  search?: "fts5" | "like";
  /** the clustering rules new reports and `recluster()` use */
  clusterRules?: ClusterRules;
  /** how long a write waits, in all, for another connection's write lock (default 30 s) */
  busyRetryMs?: number;
}

/** What one attempt at the write lock may block the thread: short, so a long lock held by
 * another process (a `crashlens recluster`) never stalls the event loop; the wait between
 * attempts is asynchronous (`whenUnlocked`). */
const BUSY_TIMEOUT_MS = 50;
const DEFAULT_BUSY_RETRY_MS = 30_000;
/** The waits between attempts: doubling from the first to the last. */
const BUSY_BACKOFF_MS = { first: 10, last: 500 } as const;

const isBusy = (error: unknown): boolean =>
  typeof (error as { code?: unknown })?.code === "string" &&
  (error as { code: string }).code.startsWith("SQLITE_BUSY");

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ReportRow {
  id: number;
  hash: string;
  cluster_id: number;
  received_at: string;
  host: string;
  labels: string;
  source: string;
  report: string;
}

interface PendingIngest {
  input: IngestedReport;
  row: ReturnType<typeof ingestRow>;
  facts: ReturnType<typeof clusterFacts>;
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly maxBodyBytes: number;
  private readonly rules: ClusterRules;
  /** FTS5 is compiled into the bundled SQLite (it is in better-sqlite3 12; checked anyway):
   * every report is indexed */
  private readonly indexed: boolean;
  /** searches use FTS5 (else escaped LIKE patterns) */
  readonly fullText: boolean;
  /** ingests waiting for the next group commit */
  private pending: PendingIngest[] = [];
  /** the group commits, one after the other (one may be waiting for the write lock) */
  private committing: Promise<void> = Promise.resolve();
  private readonly busyRetryMs: number;
  private readonly prepared = new Map<string, Database.Statement>();

  private constructor(path: string, options: SqliteStoreOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.rules = options.clusterRules ?? defaultClusterRules;
    this.busyRetryMs = options.busyRetryMs ?? DEFAULT_BUSY_RETRY_MS;
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // WAL + NORMAL may lose the last transactions on power loss, not on a process kill;
    // FULL syncs each commit, which is what "acknowledged is never lost" asks for
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    // opening may wait for another writer (migrations run once, before any request)
    this.db.pragma("busy_timeout = 5000");
    this.indexed = this.migrate();
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.fullText = this.indexed && options.search !== "like";
  }

  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    return new SqliteStore(path, options);
  }

  private migrate(): boolean {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, why TEXT NOT NULL)",
    );
    const applied = new Set(
      this.db
        .prepare<[], { version: number }>("SELECT version FROM schema_migrations")
        .all()
        .map((r) => r.version),
    );
    const record = this.db.prepare(
      "INSERT INTO schema_migrations (version, applied_at, why) VALUES (?, ?, ?)",
    );
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        record.run(m.version, new Date().toISOString(), m.why);
      })();
    }
    try {
      this.db.exec(ftsSql);
      return true;
    } catch {
      return false;
    }
  }

  async ingest(input: IngestedReport): Promise<IngestResult> {
    const row = ingestRow(input, this.maxBodyBytes);
    const facts = clusterFacts(input.report, row.hash, this.rules);
    return new Promise((resolve, reject) => {
      this.pending.push({ input, row, facts, resolve, reject });
      if (this.pending.length === 1)
        setImmediate(() => {
          this.committing = this.committing.then(() => this.commitPending());
        });
    });
  }

  /**
   * Group commit: the ingests that arrived since the last commit are written in one
   * transaction, and each promise resolves only after that commit. A synchronous commit per
   * report (synchronous = FULL) would cap ingest at the disk's fsync rate; one per batch
   * keeps "acknowledged means on disk" at a fraction of the cost. A locked database is
   * waited for (the whole batch again, asynchronously); a report that fails for itself
   * (not for the lock) must not fail the others: then each is written alone.
   */
  private async commitPending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const deadline = Date.now() + this.busyRetryMs;
    try {
      const results = await this.whenUnlocked(deadline, () =>
        this.db.transaction(() => batch.map((p) => this.writeReport(p))).immediate(),
      );
      for (const [i, p] of batch.entries()) p.resolve(results[i] as IngestResult);
    } catch (error) {
      if (error instanceof StoreLockedError) {
        for (const p of batch) p.reject(error);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve(
            await this.whenUnlocked(deadline, () =>
              this.db.transaction(() => this.writeReport(p)).immediate(),
            ),
          );
        } catch (error) {
          p.reject(error);
        }
      }
    }
  }

  /** One write outside the group commit, waiting for the lock as ingests do. */
  private write<T>(work: () => T): Promise<T> {
    return this.whenUnlocked(Date.now() + this.busyRetryMs, work);
  }

  /**
   * `write` (one transaction), tried again while another connection holds the write lock:
   * each try blocks at most BUSY_TIMEOUT_MS, the waits between them do not block. Past
   * `deadline`, a StoreLockedError.
   */
  private async whenUnlocked<T>(deadline: number, write: () => T): Promise<T> {
    for (
      let wait: number = BUSY_BACKOFF_MS.first;
      ;
      wait = Math.min(wait * 2, BUSY_BACKOFF_MS.last)
    ) {
      try {
        return write();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() + wait > deadline)
          throw new StoreLockedError(
            `the SQLite store stayed locked by another writer for ${this.busyRetryMs} ms (a recluster or another server?); nothing was written`,
            { cause: error },
          );
      }
      await sleep(wait);
    }
  }

  private writeReport({ input, row, facts }: PendingIngest): IngestResult {
    const report = input.report;
    const existing = this.statement<[string], { id: number; cluster_id: number }>(
      "SELECT id, cluster_id FROM reports WHERE hash = ?",
    ).get(row.hash);
    if (existing) return { id: existing.id, cluster: existing.cluster_id, duplicate: true };
    const cluster = this.clusterFor(facts);
    const info = this.statement(
      `INSERT INTO reports (hash, cluster_id, received_at, host, labels, kind, title, release,
         module, culprit, path, corrupted, source, report)
       VALUES (@hash, @cluster, @receivedAt, @host, @labels, @kind, @title, @release,
         @module, @culprit, @path, @corrupted, @source, @report)`,
    ).run({
      hash: row.hash,
      cluster,
      receivedAt: row.receivedAt,
      host: input.host,
      labels: row.labels,
      kind: report.kind,
      title: report.title,
      release: row.release,
      module: facts.module,
      culprit: row.culprit,
      path: JSON.stringify(facts.path),
      corrupted: row.corrupted ? 1 : 0,
      source: JSON.stringify(input.source),
      report: JSON.stringify(report),
    });
    const id = Number(info.lastInsertRowid);
    if (this.indexed)
      this.statement(
        "INSERT INTO reports_fts (rowid, title, culprit, host, body) VALUES (?, ?, ?, ?, ?)",
      ).run(
        id,
        report.title,
        report.culprit?.symbol ?? "",
        input.host,
        searchWords(input).join(" "),
      );
    return { id, cluster, duplicate: false };
  }

  /** Prepared once per SQL text: the ingest path runs the same few statements every time. */
  private statement<P extends unknown[] | object = unknown[], R = unknown>(
    sql: string,
  ): Database.Statement<P, R> {
    let prepared = this.prepared.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.prepared.set(sql, prepared);
    }
    return prepared as Database.Statement<P, R>;
  }

  private clusterFor(facts: ReturnType<typeof clusterFacts>): number {
    const found = this.statement<[string], { id: number }>(
      "SELECT id FROM clusters WHERE key = ?",
    ).get(facts.key);
    if (found) return found.id;
    const info = this.statement(
      "INSERT INTO clusters (key, title, kind, function, module) VALUES (?, ?, ?, ?, ?)",
    ).run(facts.key, facts.title, facts.kind, facts.function, facts.module);
    return Number(info.lastInsertRowid);
  }

  async getReport(id: number): Promise<StoredReport | undefined> {
    if (!isRowId(id)) return undefined;
    const row = this.db
      .prepare<[number], ReportRow>(
        "SELECT id, hash, cluster_id, received_at, host, labels, source, report FROM reports WHERE id = ?",
      )
      .get(id);
    if (!row) return undefined;
    return {
      id: row.id,
      cluster: row.cluster_id,
      hash: row.hash,
      host: row.host,
      labels: JSON.parse(row.labels),
      receivedAt: row.received_at,
      source: JSON.parse(row.source),
      report: JSON.parse(row.report),
    };
  }

  async listReports(
    filter: ReportFilter = {},
  ): Promise<{ total: number; reports: ReportSummary[] }> {
    const { limit, offset } = page(filter);
    if (filter.cluster !== undefined && !isRowId(filter.cluster)) return { total: 0, reports: [] };
    // a missing filter is a NULL parameter: one fixed statement for every combination
    const params = { cluster: filter.cluster ?? null, host: filter.host ?? null };
    const where =
      "WHERE (@cluster IS NULL OR cluster_id = @cluster) AND (@host IS NULL OR host = @host)";
    const total = this.db
      .prepare<typeof params, { n: number }>(`SELECT COUNT(*) AS n FROM reports ${where}`)
      .get(params)?.n;
    const rows = this.db
      .prepare<typeof params & { limit: number; offset: number }, ReportSummaryRow>(
        `SELECT id, cluster_id, host, labels, received_at, kind, title, release, culprit
         FROM reports ${where} ORDER BY received_at DESC, id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset });
    return { total: total ?? 0, reports: rows.map(reportSummaryOf) };
  }

  async staleClusters(): Promise<number> {
    return (
      this.db
        .prepare<[number, string], { n: number }>(
          "SELECT COUNT(*) AS n FROM clusters WHERE substr(key, 1, ?) <> ?",
        )
        .get(currentKeyPrefix.length, currentKeyPrefix)?.n ?? 0
    );
  }

  async facets(): Promise<Facets> {
    const distinct = (column: (typeof facetColumns)[keyof Facets]) =>
      this.db
        .prepare<[], { v: string }>(
          `SELECT DISTINCT ${column} AS v FROM reports WHERE ${column} IS NOT NULL ORDER BY v`,
        )
        .all()
        .map((r) => r.v);
    return {
      kinds: distinct(facetColumns.kinds),
      modules: distinct(facetColumns.modules),
      releases: distinct(facetColumns.releases),
      hosts: distinct(facetColumns.hosts),
    };
  }

  async listClusters(
    filter: ClusterFilter = {},
  ): Promise<{ total: number; clusters: ClusterSummary[] }> {
    // the conditions are fixed text; every value is a bound parameter
    const params: Record<string, string | number> = {};
    const where = clusterConditions(filter).map((c, i) => {
      params[`p${i}`] = c.value;
      return `${c.column} ${c.op} @p${i}`;
    });
    const tokens = searchTokens(filter.text);
    if (tokens !== undefined) {
      if (this.fullText) {
        // each word quoted: FTS5 takes it as text, never as query syntax
        if (tokens.length === 0) where.push("0 = 1");
        else {
          where.push("r.id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH @text)");
          params.text = tokens.map((t) => `"${t}"`).join(" ");
        }
      } else {
        where.push(
          "(r.title LIKE @text ESCAPE '\\' OR r.culprit LIKE @text ESCAPE '\\' OR r.host LIKE @text ESCAPE '\\' OR COALESCE(json_extract(r.source, '$.text'), json_extract(r.source, '$.log')) LIKE @text ESCAPE '\\')",
        );
        params.text = `%${(filter.text ?? "").replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      }
    }
    const sort = checkSort(sortOrders, filter.sort);
    const { limit, offset } = page(filter);
    const grouped = `
      SELECT c.id, c.key, c.title, c.kind, c.function, c.module, c.status,
             COUNT(*) AS count, MIN(r.received_at) AS first_seen, MAX(r.received_at) AS last_seen
      FROM clusters c JOIN reports r ON r.cluster_id = c.id
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY c.id`;
    const total = this.db
      .prepare<typeof params, { n: number }>(`SELECT COUNT(*) AS n FROM (${grouped})`)
      .get(params)?.n;
    const rows = this.db
      .prepare<typeof params, ClusterRow>(`${grouped} ORDER BY ${sort} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit, offset });
    return { total: total ?? 0, clusters: rows.map(clusterSummaryOf) };
  }

  async getCluster(id: number): Promise<Cluster | undefined> {
    if (!isRowId(id)) return undefined;
    // one read transaction: every part of the answer from the same snapshot
    return this.db.transaction((): Cluster | undefined => {
      const row = this.statement<[number], ClusterDetailRow>(clusterSql.row).get(id);
      if (!row) return undefined;
      const top = { id, top: CLUSTER_TOP_ROWS };
      return clusterOf(row, {
        perDay: this.statement<[number], { day: string; count: number }>(clusterSql.perDay).all(id),
        perHost: this.statement<typeof top, { host: string; count: number }>(
          clusterSql.perHost,
        ).all(top),
        perRelease: this.statement<typeof top, { release: string; count: number }>(
          clusterSql.perRelease,
        ).all(top),
        paths: this.statement<typeof top, { path: string; count: number }>(clusterSql.paths).all(
          top,
        ),
        best: this.statement<[number], { id: number }>(clusterSql.best).get(id)?.id,
        knownBugs: this.statement<typeof top, Cluster["knownBugs"][number]>(
          clusterSql.knownBugs,
        ).all(top),
      });
    })();
  }

  async setClusterStatus(
    id: number,
    status: ClusterStatus,
    note: string,
    version?: string,
  ): Promise<void> {
    checkStatus(status, version);
    if (!isRowId(id)) throw new StoreError("not-found", `no cluster ${id}`);
    const info = await this.write(() =>
      this.db
        .prepare("UPDATE clusters SET status = ?, note = ?, fixed_in = ? WHERE id = ?")
        .run(status, note, status === "fixed-in" ? (version ?? null) : null, id),
    );
    if (info.changes === 0) throw new StoreError("not-found", `no cluster ${id}`);
  }

  async recluster(): Promise<ReclusterResult> {
    return this.write(() => this.reclusterNow());
  }

  private reclusterNow(): ReclusterResult {
    return this.db
      .transaction((): ReclusterResult => {
        // paged: an open iterator would keep the connection from the updates
        const rows = this.db.prepare<
          [number, number],
          { id: number; hash: string; cluster_id: number; report: string }
        >("SELECT id, hash, cluster_id, report FROM reports WHERE id > ? ORDER BY id LIMIT ?");
        const move = this.db.prepare(
          "UPDATE reports SET cluster_id = ?, module = ?, path = ? WHERE id = ?",
        );
        const byKey = this.db.prepare<[string], { id: number }>(
          "SELECT id FROM clusters WHERE key = ?",
        );
        const rekey = this.db.prepare(
          "UPDATE clusters SET key = ?, title = ?, kind = ?, function = ?, module = ? WHERE id = ?",
        );
        const rule = new ReclusterRule();
        for (let after = 0, page = rows.all(0, RECLUSTER_PAGE); page.length > 0; ) {
          for (const row of page) {
            const facts = clusterFacts(JSON.parse(row.report), row.hash, this.rules);
            const target = rule.target(row.cluster_id, byKey.get(facts.key)?.id);
            if (target === "rekey")
              rekey.run(
                facts.key,
                facts.title,
                facts.kind,
                facts.function,
                facts.module,
                row.cluster_id,
              );
            const cluster =
              target === "rekey"
                ? row.cluster_id
                : target === "new"
                  ? this.clusterFor(facts)
                  : target;
            rule.placed(row.cluster_id, cluster);
            move.run(cluster, facts.module, JSON.stringify(facts.path), row.id);
          }
          after = page.at(-1)?.id ?? after;
          page = rows.all(after, RECLUSTER_PAGE);
        }
        this.db.exec(
          `DELETE FROM clusters WHERE id NOT IN (SELECT DISTINCT cluster_id FROM reports) AND ${UNTOUCHED_CLUSTER_SQL}`,
        );
        const clusters = this.db
          .prepare<[], { n: number }>("SELECT COUNT(DISTINCT cluster_id) AS n FROM reports")
          .get()?.n;
        return rule.result(clusters ?? 0);
      })
      .immediate();
  }

  async createToken(token: { name: string; role: TokenRole; hash: string }): Promise<TokenInfo> {
    checkToken(token);
    const row = await this.write(() =>
      this.db
        .prepare<[string, string, string, string], TokenRow>(
          `INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO NOTHING RETURNING id, name, role, created_at`,
        )
        .get(token.name, token.role, token.hash, new Date().toISOString()),
    );
    if (row) return tokenOf(row);
    const named = this.db.prepare("SELECT 1 FROM tokens WHERE name = ?").get(token.name);
    throw tokenExists(token.name, named !== undefined);
  }

  async tokenByHash(hash: string): Promise<TokenInfo | undefined> {
    const row = this.db
      .prepare<[string], TokenRow>("SELECT id, name, role, created_at FROM tokens WHERE hash = ?")
      .get(hash);
    return row && tokenOf(row);
  }

  async listTokens(): Promise<TokenInfo[]> {
    return this.db
      .prepare<[], TokenRow>("SELECT id, name, role, created_at FROM tokens ORDER BY id")
      .all()
      .map(tokenOf);
  }

  async revokeToken(id: number): Promise<boolean> {
    if (!isRowId(id)) return false;
    const info = await this.write(() => this.db.prepare("DELETE FROM tokens WHERE id = ?").run(id));
    return info.changes > 0;
  }

  async close(): Promise<void> {
    // what was accepted before close is written, not dropped
    await this.committing;
    await this.commitPending();
    this.db.close();
  }
}
