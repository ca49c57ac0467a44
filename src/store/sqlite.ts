/**
 * @module store/sqlite
 * The store in one SQLite file (better-sqlite3): versioned migrations run on open, WAL, every
 * statement parameterised, FTS5 for search (every word of the search, see common
 * `searchTokens`). `ingest` commits before it resolves: an acknowledged report survives a
 * kill -9 of the process. What both stores share is in store/common.
 */
import Database from "better-sqlite3";
import { type ClusterRules, clusterFacts, defaultClusterRules } from "./cluster.js";
import {
  aggregateKnownBugs,
  type ClusterRow,
  checkSort,
  checkStatus,
  checkToken,
  clusterConditions,
  clusterSummaryOf,
  DEFAULT_MAX_BODY_BYTES,
  facetColumns,
  ingestRow,
  isRowId,
  page,
  type ReportSummaryRow,
  reportSummaryOf,
  StoreError,
  searchTokens,
  type TokenRow,
  tokenExists,
  tokenOf,
} from "./common.js";
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

// what callers imported from here before the stores shared them
export {
  contentHash,
  DEFAULT_MAX_BODY_BYTES,
  MAX_HOST_BYTES,
  MAX_LABELS_BYTES,
  StoreError,
} from "./common.js";

export interface SqliteStoreOptions {
  maxBodyBytes?: number;
  /** `like` searches with escaped LIKE patterns even when FTS5 is there (for tests) */
  search?: "fts5" | "like";
  /** the clustering rules new reports and `recluster()` use */
  clusterRules?: ClusterRules;
}

/** Each migration once, in order; the applied versions are rows of `schema_migrations`. */
const migrations: ReadonlyArray<{ version: number; why: string; sql: string }> = [
  {
    version: 1,
    why: "reports, clusters and the full-text index",
    sql: `
      CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        function TEXT,
        module TEXT,
        status TEXT NOT NULL DEFAULT 'new'
          CHECK (status IN ('new', 'triaged', 'fixed-in', 'ignored')),
        note TEXT NOT NULL DEFAULT '',
        fixed_in TEXT
      );
      CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        cluster_id INTEGER NOT NULL REFERENCES clusters(id),
        received_at TEXT NOT NULL,
        host TEXT NOT NULL,
        labels TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        release TEXT,
        module TEXT,
        culprit TEXT,
        path TEXT NOT NULL,
        corrupted INTEGER NOT NULL,
        source TEXT NOT NULL,
        report TEXT NOT NULL
      );
      CREATE INDEX reports_cluster ON reports(cluster_id, received_at);
      CREATE INDEX reports_received ON reports(received_at);
      CREATE INDEX reports_host ON reports(host);
      CREATE INDEX reports_release ON reports(release);
    `,
  },
  {
    version: 2,
    why: "API tokens: only the SHA-256 of each secret",
    sql: `
      CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('ingest', 'read', 'admin')),
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
    `,
  },
];

const ftsSql =
  "CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(title, culprit, host, body, tokenize = 'unicode61')";

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

const sortOrders: Record<NonNullable<ClusterFilter["sort"]>, string> = {
  "last-seen": "last_seen DESC, c.id DESC",
  "first-seen": "first_seen ASC, c.id ASC",
  count: "count DESC, last_seen DESC, c.id DESC",
  title: "c.title ASC, c.id ASC",
};

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
  private readonly prepared = new Map<string, Database.Statement>();

  private constructor(path: string, options: SqliteStoreOptions) {
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.rules = options.clusterRules ?? defaultClusterRules;
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // WAL + NORMAL may lose the last transactions on power loss, not on a process kill;
    // FULL syncs each commit, which is what "acknowledged is never lost" asks for
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    this.indexed = this.migrate();
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
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  /**
   * Group commit: the ingests that arrived since the last turn of the event loop are written
   * in one transaction, and each promise resolves only after that commit. A synchronous
   * commit per report (synchronous = FULL) would cap ingest at the disk's fsync rate; one
   * per batch keeps "acknowledged means on disk" at a fraction of the cost.
   */
  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const results = this.db.transaction(() => batch.map((p) => this.writeReport(p))).immediate();
      for (const [i, p] of batch.entries()) p.resolve(results[i] as IngestResult);
    } catch {
      // one failing report must not fail the others: each alone, in its own transaction
      for (const p of batch) {
        try {
          p.resolve(this.db.transaction(() => this.writeReport(p)).immediate());
        } catch (error) {
          p.reject(error);
        }
      }
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
      ).run(id, report.title, report.culprit?.symbol ?? "", input.host, row.body);
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
    const row = this.db
      .prepare<[number], ClusterRow>(
        `SELECT c.*, COUNT(r.id) AS count, MIN(r.received_at) AS first_seen,
                MAX(r.received_at) AS last_seen
         FROM clusters c LEFT JOIN reports r ON r.cluster_id = c.id
         WHERE c.id = ? GROUP BY c.id`,
      )
      .get(id);
    if (!row) return undefined;
    const perDay = this.db
      .prepare<[number], { day: string; count: number }>(
        "SELECT substr(received_at, 1, 10) AS day, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY day ORDER BY day",
      )
      .all(id);
    const perHost = this.db
      .prepare<[number], { host: string; count: number }>(
        "SELECT host, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY host ORDER BY count DESC, host",
      )
      .all(id);
    const perRelease = this.db
      .prepare<[number], { release: string; count: number }>(
        "SELECT COALESCE(release, '') AS release, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY 1 ORDER BY count DESC, release",
      )
      .all(id);
    const paths = this.db
      .prepare<[number], { path: string; count: number }>(
        "SELECT path, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY path ORDER BY count DESC, path",
      )
      .all(id)
      .map((p) => ({ frames: JSON.parse(p.path) as string[], count: p.count }));
    // best example: whole, blamed, the most said about it (the longest analysis), then the latest
    const best = this.db
      .prepare<[number], { id: number }>(
        `SELECT id FROM reports WHERE cluster_id = ?
         ORDER BY corrupted ASC, (culprit IS NOT NULL) DESC, length(report) DESC, received_at DESC, id DESC
         LIMIT 1`,
      )
      .get(id);
    const bugs = this.db
      .prepare<[number], { bugs: string | null }>(
        "SELECT json_extract(report, '$.knownBugs') AS bugs FROM reports WHERE cluster_id = ? ORDER BY id",
      )
      .all(id)
      .map((r) => (r.bugs ? JSON.parse(r.bugs) : []));
    return {
      ...clusterSummaryOf(row),
      note: row.note,
      fixedIn: row.fixed_in,
      perDay,
      perHost,
      perRelease,
      paths,
      bestExample: best?.id ?? 0,
      knownBugs: aggregateKnownBugs(bugs),
    };
  }

  async setClusterStatus(
    id: number,
    status: ClusterStatus,
    note: string,
    version?: string,
  ): Promise<void> {
    checkStatus(status, version);
    if (!isRowId(id)) throw new StoreError("not-found", `no cluster ${id}`);
    const info = this.db
      .prepare("UPDATE clusters SET status = ?, note = ?, fixed_in = ? WHERE id = ?")
      .run(status, note, status === "fixed-in" ? (version ?? null) : null, id);
    if (info.changes === 0) throw new StoreError("not-found", `no cluster ${id}`);
  }

  async recluster(): Promise<ReclusterResult> {
    return this.db
      .transaction((): ReclusterResult => {
        const rows = this.db
          .prepare<[], { id: number; hash: string; cluster_id: number; report: string }>(
            "SELECT id, hash, cluster_id, report FROM reports ORDER BY id",
          )
          .all();
        const move = this.db.prepare(
          "UPDATE reports SET cluster_id = ?, module = ?, path = ? WHERE id = ?",
        );
        const byKey = this.db.prepare<[string], { id: number }>(
          "SELECT id FROM clusters WHERE key = ?",
        );
        const rekey = this.db.prepare(
          "UPDATE clusters SET key = ?, title = ?, kind = ?, function = ?, module = ? WHERE id = ?",
        );
        // A cluster keeps its id, status and note through a rule change: the first new key
        // its reports get takes the old cluster over; later keys get new clusters (a split),
        // and reports whose key now has a cluster join it (a merge).
        const used = new Set<number>();
        let moved = 0;
        for (const row of rows) {
          const facts = clusterFacts(JSON.parse(row.report), row.hash, this.rules);
          let cluster = byKey.get(facts.key)?.id;
          if (cluster === undefined && !used.has(row.cluster_id)) {
            rekey.run(
              facts.key,
              facts.title,
              facts.kind,
              facts.function,
              facts.module,
              row.cluster_id,
            );
            cluster = row.cluster_id;
          }
          cluster ??= this.clusterFor(facts);
          used.add(cluster);
          if (cluster !== row.cluster_id) moved++;
          move.run(cluster, facts.module, JSON.stringify(facts.path), row.id);
        }
        // a cluster no report is in any more goes, unless someone wrote on it
        this.db.exec(
          "DELETE FROM clusters WHERE id NOT IN (SELECT DISTINCT cluster_id FROM reports) AND status = 'new' AND note = ''",
        );
        const clusters = this.db
          .prepare<[], { n: number }>("SELECT COUNT(DISTINCT cluster_id) AS n FROM reports")
          .get()?.n;
        return { reports: rows.length, clusters: clusters ?? 0, moved };
      })
      .immediate();
  }

  async createToken(token: { name: string; role: TokenRole; hash: string }): Promise<TokenInfo> {
    checkToken(token);
    const row = this.db
      .prepare<[string, string, string, string], TokenRow>(
        `INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING id, name, role, created_at`,
      )
      .get(token.name, token.role, token.hash, new Date().toISOString());
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
    return this.db.prepare("DELETE FROM tokens WHERE id = ?").run(id).changes > 0;
  }

  async close(): Promise<void> {
    // what was accepted before close is written, not dropped
    this.commitPending();
    this.db.close();
  }
}
