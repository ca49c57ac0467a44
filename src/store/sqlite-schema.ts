/**
 * @module store/sqlite-schema
 * The SQLite store's SQL text: its migrations, its full-text table and the fixed queries of
 * its reads. Only constants: every value reaches these statements as a bound parameter
 * (store/sqlite).
 */
import { confidenceRankSql, knownBugsAggregateSql } from "./common.js";
import type { ClusterFilter } from "./types.js";

/** Each migration once, in order; the applied versions are rows of `schema_migrations`. */
export const migrations: ReadonlyArray<{ version: number; why: string; sql: string }> = [
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

export const ftsSql =
  "CREATE VIRTUAL TABLE IF NOT EXISTS reports_fts USING fts5(title, culprit, host, body, tokenize = 'unicode61')";

/** What `getCluster` reads; every list bounded by @top. */
export const clusterSql = {
  row: `SELECT c.*, COUNT(r.id) AS count, MIN(r.received_at) AS first_seen,
               MAX(r.received_at) AS last_seen, COUNT(DISTINCT r.host) AS host_count,
               COUNT(DISTINCT COALESCE(r.release, '')) - (COUNT(r.id) = 0) AS release_count,
               COUNT(DISTINCT r.path) AS path_count
        FROM clusters c LEFT JOIN reports r ON r.cluster_id = c.id
        WHERE c.id = ? GROUP BY c.id`,
  perDay:
    "SELECT substr(received_at, 1, 10) AS day, COUNT(*) AS count FROM reports WHERE cluster_id = ? GROUP BY day ORDER BY day",
  perHost:
    "SELECT host, COUNT(*) AS count FROM reports WHERE cluster_id = @id GROUP BY host ORDER BY count DESC, host LIMIT @top",
  perRelease:
    "SELECT COALESCE(release, '') AS release, COUNT(*) AS count FROM reports WHERE cluster_id = @id GROUP BY 1 ORDER BY count DESC, release LIMIT @top",
  paths:
    "SELECT path, COUNT(*) AS count FROM reports WHERE cluster_id = @id GROUP BY path ORDER BY count DESC, path LIMIT @top",
  // best example: whole, blamed, the most said about it (the longest analysis), then the latest
  best: `SELECT id FROM reports WHERE cluster_id = ?
         ORDER BY corrupted ASC, (culprit IS NOT NULL) DESC, length(report) DESC, received_at DESC, id DESC
         LIMIT 1`,
  knownBugs: `WITH bugs AS (
      SELECT r.id AS report, CAST(b.key AS integer) AS pos, json_extract(b.value, '$.id') AS id,
             COALESCE(json_extract(b.value, '$.subject'), '') AS subject,
             COALESCE(json_extract(b.value, '$.confidence'), '') AS confidence,
             ${confidenceRankSql("json_extract(b.value, '$.confidence')")} AS rank
      FROM reports r, json_each(r.report, '$.knownBugs') b
      WHERE r.cluster_id = @id AND json_type(r.report, '$.knownBugs') = 'array'
        AND b.type = 'object' AND json_type(b.value, '$.id') = 'text'
        AND json_extract(b.value, '$.id') <> '')
    ${knownBugsAggregateSql("id")} LIMIT @top`,
} as const;

export const sortOrders: Record<NonNullable<ClusterFilter["sort"]>, string> = {
  "last-seen": "last_seen DESC, c.id DESC",
  "first-seen": "first_seen ASC, c.id ASC",
  count: "count DESC, last_seen DESC, c.id DESC",
  title: "c.title ASC, c.id ASC",
};
