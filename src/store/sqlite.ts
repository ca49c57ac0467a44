/**
 * @module store/sqlite
 * The store in one SQLite file (better-sqlite3): versioned migrations run on open, WAL, every
 * statement parameterised, FTS5 for search. `ingest` commits before it resolves: an
 * acknowledged report survives a kill -9 of the process.
 */
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { CrashlensError } from "../errors.js";
import { type ClusterRules, clusterFacts, defaultClusterRules } from "./cluster.js";
import {
  type Cluster,
  type ClusterFilter,
  type ClusterStatus,
  type ClusterSummary,
  clusterStatuses,
  type IngestedReport,
  type IngestResult,
  type ReclusterResult,
  type ReportSource,
  type Store,
  type StoredReport,
} from "./types.js";

/** Bodies larger than this are refused (a console log around a crash is far smaller). */
export const DEFAULT_MAX_BODY_BYTES = 8 << 20;
const MAX_LIMIT = 1000;

/** Host names and labels are short by nature; these bound what one submission may claim. */
export const MAX_HOST_BYTES = 255;
export const MAX_LABELS_BYTES = 4096;

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
];

const ftsSql =
  "CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(title, culprit, host, body, tokenize = 'unicode61')";

export class StoreError extends CrashlensError {}

/** The content hash: the same report from the same host, whatever its line endings. */
export function contentHash(report: IngestedReport): string {
  const text = sourceText(report.source)
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+$/gm, "")
    .trim();
  const span = `${report.report.lines.start}-${report.report.lines.end}`;
  return createHash("sha256")
    .update(`${report.host}\0${report.source.kind}\0${span}\0${text}`)
    .digest("hex");
}

function sourceText(source: ReportSource): string {
  return source.kind === "text" ? source.text : source.log;
}

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

interface ClusterRow {
  id: number;
  key: string;
  title: string;
  kind: string;
  function: string | null;
  module: string | null;
  status: ClusterStatus;
  note: string;
  fixed_in: string | null;
  count: number;
  first_seen: string;
  last_seen: string;
}

const sortOrders: Record<NonNullable<ClusterFilter["sort"]>, string> = {
  "last-seen": "last_seen DESC, c.id DESC",
  "first-seen": "first_seen ASC, c.id ASC",
  count: "count DESC, last_seen DESC, c.id DESC",
  title: "c.title ASC, c.id ASC",
};

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly maxBodyBytes: number;
  private readonly rules: ClusterRules;
  /** FTS5 is compiled into the bundled SQLite (it is in better-sqlite3 12; checked anyway):
   * every report is indexed */
  private readonly indexed: boolean;
  /** searches use FTS5 (else escaped LIKE patterns) */
  readonly fullText: boolean;

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
    const body = sourceText(input.source);
    checkSize("report body", Buffer.byteLength(body, "utf8"), this.maxBodyBytes);
    checkSize("host name", Buffer.byteLength(input.host, "utf8"), MAX_HOST_BYTES);
    const labels = JSON.stringify(input.labels);
    checkSize("labels", Buffer.byteLength(labels, "utf8"), MAX_LABELS_BYTES);
    const hash = contentHash(input);
    const facts = clusterFacts(input.report, hash, this.rules);
    const report = input.report;
    const write = this.db.transaction((): IngestResult => {
      const existing = this.db
        .prepare<[string], { id: number; cluster_id: number }>(
          "SELECT id, cluster_id FROM reports WHERE hash = ?",
        )
        .get(hash);
      if (existing) return { id: existing.id, cluster: existing.cluster_id, duplicate: true };
      const cluster = this.clusterFor(facts);
      const info = this.db
        .prepare(
          `INSERT INTO reports (hash, cluster_id, received_at, host, labels, kind, title, release,
             module, culprit, path, corrupted, source, report)
           VALUES (@hash, @cluster, @receivedAt, @host, @labels, @kind, @title, @release,
             @module, @culprit, @path, @corrupted, @source, @report)`,
        )
        .run({
          hash,
          cluster,
          receivedAt: input.receivedAt ?? new Date().toISOString(),
          host: input.host,
          labels,
          kind: report.kind,
          title: report.title,
          release: report.kernel.release ?? null,
          module: facts.module,
          culprit: report.culprit
            ? `${report.culprit.symbol}${report.culprit.module ? ` [${report.culprit.module}]` : ""}`
            : null,
          path: JSON.stringify(facts.path),
          corrupted: report.corrupted ? 1 : 0,
          source: JSON.stringify(input.source),
          report: JSON.stringify(report),
        });
      const id = Number(info.lastInsertRowid);
      if (this.indexed)
        this.db
          .prepare(
            "INSERT INTO reports_fts (rowid, title, culprit, host, body) VALUES (?, ?, ?, ?, ?)",
          )
          .run(id, report.title, report.culprit?.symbol ?? "", input.host, body);
      return { id, cluster, duplicate: false };
    });
    // better-sqlite3 is synchronous: the transaction is committed when this line returns
    return write.immediate();
  }

  private clusterFor(facts: ReturnType<typeof clusterFacts>): number {
    const found = this.db
      .prepare<[string], { id: number }>("SELECT id FROM clusters WHERE key = ?")
      .get(facts.key);
    if (found) return found.id;
    const info = this.db
      .prepare("INSERT INTO clusters (key, title, kind, function, module) VALUES (?, ?, ?, ?, ?)")
      .run(facts.key, facts.title, facts.kind, facts.function, facts.module);
    return Number(info.lastInsertRowid);
  }

  async getReport(id: number): Promise<StoredReport | undefined> {
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

  async listClusters(
    filter: ClusterFilter = {},
  ): Promise<{ total: number; clusters: ClusterSummary[] }> {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    // the conditions are fixed text; every value is a bound parameter
    if (filter.kind !== undefined) {
      where.push("r.kind = @kind");
      params.kind = filter.kind;
    }
    if (filter.module !== undefined) {
      where.push("r.module = @module");
      params.module = filter.module;
    }
    if (filter.release !== undefined) {
      where.push("r.release = @release");
      params.release = filter.release;
    }
    if (filter.host !== undefined) {
      where.push("r.host = @host");
      params.host = filter.host;
    }
    if (filter.from !== undefined) {
      where.push("r.received_at >= @from");
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      where.push("r.received_at <= @to");
      params.to = filter.to;
    }
    if (filter.text !== undefined && filter.text.trim() !== "") {
      if (this.fullText) {
        where.push("r.id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH @text)");
        params.text = ftsQuery(filter.text);
      } else {
        where.push(
          "(r.title LIKE @text ESCAPE '\\' OR r.culprit LIKE @text ESCAPE '\\' OR r.host LIKE @text ESCAPE '\\' OR COALESCE(json_extract(r.source, '$.text'), json_extract(r.source, '$.log')) LIKE @text ESCAPE '\\')",
        );
        params.text = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      }
    }
    const sort = sortOrders[filter.sort ?? "last-seen"];
    if (!sort) throw new StoreError("usage", `unknown sort ${String(filter.sort)}`);
    const limit = Math.max(0, Math.min(MAX_LIMIT, Math.trunc(filter.limit ?? 50)));
    const offset = Math.max(0, Math.trunc(filter.offset ?? 0));
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
    return { total: total ?? 0, clusters: rows.map(summaryOf) };
  }

  async getCluster(id: number): Promise<Cluster | undefined> {
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
        "SELECT COALESCE(release, '') AS release, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY release ORDER BY count DESC, release",
      )
      .all(id);
    const paths = this.db
      .prepare<[number], { path: string; count: number }>(
        "SELECT path, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY path ORDER BY count DESC, path",
      )
      .all(id)
      .map((p) => ({ frames: JSON.parse(p.path) as string[], count: p.count }));
    // best example: whole, blamed, then the latest
    const best = this.db
      .prepare<[number], { id: number }>(
        `SELECT id FROM reports WHERE cluster_id = ?
         ORDER BY corrupted ASC, (culprit IS NOT NULL) DESC, length(report) DESC, received_at DESC, id DESC
         LIMIT 1`,
      )
      .get(id);
    const knownBugs = new Map<
      string,
      { id: string; subject: string; confidence: string; reports: number; rank: number }
    >();
    const rank = { exact: 0, likely: 1, possible: 2 } as Record<string, number>;
    for (const r of this.db
      .prepare<[number], { bugs: string | null }>(
        "SELECT json_extract(report, '$.knownBugs') AS bugs FROM reports WHERE cluster_id = ?",
      )
      .all(id)) {
      const bugs = r.bugs ? (JSON.parse(r.bugs) as Array<Record<string, string>>) : [];
      for (const b of bugs) {
        if (!b.id) continue;
        const seen = knownBugs.get(b.id);
        const r2 = rank[b.confidence ?? ""] ?? 3;
        if (seen) {
          seen.reports++;
          if (r2 < seen.rank) Object.assign(seen, { rank: r2, confidence: b.confidence });
        } else
          knownBugs.set(b.id, {
            id: b.id,
            subject: b.subject ?? "",
            confidence: b.confidence ?? "",
            reports: 1,
            rank: r2,
          });
      }
    }
    return {
      ...summaryOf(row),
      note: row.note,
      fixedIn: row.fixed_in,
      perDay,
      perHost,
      perRelease,
      paths,
      bestExample: best?.id ?? 0,
      knownBugs: [...knownBugs.values()]
        .sort((a, b) => a.rank - b.rank || b.reports - a.reports || a.id.localeCompare(b.id))
        .map(({ rank: _, ...bug }) => bug),
    };
  }

  async setClusterStatus(
    id: number,
    status: ClusterStatus,
    note: string,
    version?: string,
  ): Promise<void> {
    if (!clusterStatuses.includes(status))
      throw new StoreError("usage", `unknown cluster status ${JSON.stringify(status)}`);
    if (status === "fixed-in" && !version)
      throw new StoreError("usage", "status fixed-in needs the version that has the fix");
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

  async close(): Promise<void> {
    this.db.close();
  }
}

function checkSize(what: string, bytes: number, max: number): void {
  if (bytes > max)
    throw new StoreError("limit", `${what} is ${bytes} bytes, more than the limit of ${max}`, {
      field: what,
      value: bytes,
      max,
    });
}

function summaryOf(row: ClusterRow): ClusterSummary {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    kind: row.kind,
    function: row.function,
    module: row.module,
    count: row.count,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    status: row.status,
  };
}

/** The user's words as FTS5 phrases: operators and quotes in them are text, not syntax. */
function ftsQuery(text: string): string {
  return text
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => `"${w.replace(/"/g, '""')}"`)
    .join(" ");
}
