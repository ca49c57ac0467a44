/**
 * @module store/postgres
 * The store in PostgreSQL (`pg`'s Pool), for fleets several `serve` processes share: the same
 * semantics and result shapes as the SQLite store (both run store/contract.case.ts).
 * - versioned migrations run on open in one transaction under an advisory lock, so servers
 *   starting together apply each once;
 * - `ingest` is race-safe on the content hash and the cluster key (`ON CONFLICT DO NOTHING`,
 *   then the row that won) and commits before it resolves;
 * - `recluster` holds an exclusive advisory lock that every ingest takes shared: reports
 *   arriving meanwhile wait instead of landing in a cluster being re-keyed;
 * - full text: a `tsvector` of the report's words (store/common `searchWords`, the words
 *   SQLite's FTS5 indexes) with a GIN index; the search's words reach it only through
 *   `plainto_tsquery('simple', …)`, as a bound parameter;
 * - times are `timestamptz`, returned in `toISOString`'s format as SQLite returns them;
 *   text sorts use the "C" collation, SQLite's binary order, whatever the database's locale.
 * Every statement is fixed text with bound parameters.
 */
import pg from "pg";
import {
  type ClusterFacts,
  type ClusterRules,
  clusterFacts,
  defaultClusterRules,
} from "./cluster.js";
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
  searchTokens,
  searchWords,
  sha256Hex,
  type TokenRow,
  tokenExists,
  tokenOf,
  UNTOUCHED_CLUSTER_SQL,
} from "./common.js";
import { fromRow, toParam } from "./pg-text.js";
import { begin, clusterSql, iso, migrations, sortOrders, tokenColumns } from "./postgres-schema.js";
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

export interface PostgresStoreOptions {
  maxBodyBytes?: number;
  /** the clustering rules new reports and `recluster()` use */
  clusterRules?: ClusterRules;
  /** connections in the pool (default 10) */
  poolSize?: number;
  /** how long to wait for a connection (default 10 s) */
  connectTimeoutMs?: number;
}

type Queryable = pg.Pool | pg.PoolClient;

async function query<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query(sql, params.map(toParam));
  return result.rows.map((row) => fromRow<T>(row));
}

async function one<T>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await query<T>(db, sql, params))[0];
}

/** Runs `work` in a transaction on one connection: committed when it returns, rolled back
 * when it throws. */
async function transaction<T>(
  pool: pg.Pool,
  kind: keyof typeof begin,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin[kind]);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // a connection that cannot even roll back is not given to the next caller
    broken = await client.query("ROLLBACK").then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Characters (code points), as SQLite's length() counts them. */
function codePoints(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) surrogates++;
  }
  return text.length - surrogates;
}

interface ReportRow {
  id: number;
  hash: string;
  cluster_id: number;
  received_at: string;
  host: string;
  labels: Record<string, string>;
  source: StoredReport["source"];
  report: StoredReport["report"];
}

export class PostgresStore implements Store {
  readonly kind = "postgres" as const;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly maxBodyBytes: number,
    private readonly rules: ClusterRules,
  ) {}

  /** Connects to `url` (postgres://…) and brings the schema up to date. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // a server that does not answer is an error, not a hang
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // an idle connection the server dropped: the pool replaces it; this must not end the process
    pool.on("error", () => undefined);
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreError("os", `cannot open the PostgreSQL store: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new PostgresStore(
      pool,
      options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      options.clusterRules ?? defaultClusterRules,
    );
  }

  async ingest(input: IngestedReport): Promise<IngestResult> {
    const row = ingestRow(input, this.maxBodyBytes);
    const facts = clusterFacts(input.report, row.hash, this.rules);
    const { report } = input;
    const reportJson = JSON.stringify(report);
    // the words themselves, not PostgreSQL's parse of the text: the same words SQLite finds
    // the words themselves, not PostgreSQL's parse of the text: the words SQLite indexes
    const search = searchWords(input);
    const keySha = sha256Hex(facts.key);
    const stored = await transaction(this.pool, "ingest", async (client) => {
      // one round trip: the report if it is known, else the cluster if that is known
      const known = await one<{
        report: number | null;
        cluster: number | null;
        report_cluster: number | null;
      }>(
        client,
        `SELECT r.id AS report, r.cluster_id AS report_cluster,
                (SELECT id FROM clusters WHERE key_sha = $2) AS cluster
         FROM (SELECT 1) one LEFT JOIN reports r ON r.hash = $1`,
        [row.hash, keySha],
      );
      if (known?.report != null)
        return { id: known.report, cluster: known.report_cluster ?? 0, duplicate: true };
      const cluster = known?.cluster ?? (await makeCluster(client, facts, keySha));
      const inserted = await one<{ id: number }>(
        client,
        `INSERT INTO reports (hash, cluster_id, received_at, host, labels, kind, title, release,
           module, culprit, path, corrupted, report_length, source, report, search)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
           array_to_tsvector($16::text[]))
         ON CONFLICT (hash) DO NOTHING RETURNING id`,
        [
          row.hash,
          cluster,
          row.receivedAt,
          input.host,
          input.labels,
          report.kind,
          report.title,
          row.release,
          facts.module,
          row.culprit,
          JSON.stringify(facts.path),
          row.corrupted,
          codePoints(reportJson),
          input.source,
          report,
          search,
        ],
      );
      // another server stored the same report meanwhile: undo (a cluster made for it too)
      if (!inserted) throw new Duplicate();
      return { id: inserted.id, cluster, duplicate: false };
    }).catch((error: unknown) => {
      if (error instanceof Duplicate) return null;
      throw error;
    });
    if (stored) return stored;
    const winner = await findByHash(this.pool, row.hash);
    if (!winner) throw new StoreError("bad-data", "a report stored meanwhile is gone again");
    return winner;
  }

  async getReport(id: number): Promise<StoredReport | undefined> {
    if (!isRowId(id)) return undefined;
    const row = await one<ReportRow>(
      this.pool,
      `SELECT id, hash, cluster_id, ${iso("received_at")} AS received_at, host, labels, source, report
       FROM reports WHERE id = $1`,
      [id],
    );
    if (!row) return undefined;
    return {
      id: row.id,
      cluster: row.cluster_id,
      hash: row.hash,
      host: row.host,
      labels: row.labels,
      receivedAt: row.received_at,
      source: row.source,
      report: row.report,
    };
  }

  async listReports(
    filter: ReportFilter = {},
  ): Promise<{ total: number; reports: ReportSummary[] }> {
    const { limit, offset } = page(filter);
    if (filter.cluster !== undefined && !isRowId(filter.cluster)) return { total: 0, reports: [] };
    // a missing filter is a NULL parameter: one fixed statement for every combination
    const where =
      "WHERE ($1::integer IS NULL OR cluster_id = $1) AND ($2::text IS NULL OR host = $2)";
    const params = [filter.cluster ?? null, filter.host ?? null];
    const total = await one<{ n: number }>(
      this.pool,
      `SELECT count(*)::integer AS n FROM reports ${where}`,
      params,
    );
    const rows = await query<ReportSummaryRow>(
      this.pool,
      `SELECT id, cluster_id, host, labels, ${iso("received_at")} AS received_at, kind, title,
              release, culprit
       FROM reports ${where} ORDER BY received_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [...params, limit, offset],
    );
    return { total: total?.n ?? 0, reports: rows.map(reportSummaryOf) };
  }

  async staleClusters(): Promise<number> {
    const [row] = await query<{ n: string }>(
      this.pool,
      "SELECT COUNT(*) AS n FROM clusters WHERE left(key, $1) <> $2",
      [currentKeyPrefix.length, currentKeyPrefix],
    );
    return Number(row?.n ?? 0);
  }

  async facets(): Promise<Facets> {
    const distinct = async (column: (typeof facetColumns)[keyof Facets]) =>
      (
        await query<{ v: string }>(
          this.pool,
          `SELECT DISTINCT ${column} COLLATE "C" AS v FROM reports WHERE ${column} IS NOT NULL ORDER BY v`,
        )
      ).map((r) => r.v);
    return {
      kinds: await distinct(facetColumns.kinds),
      modules: await distinct(facetColumns.modules),
      releases: await distinct(facetColumns.releases),
      hosts: await distinct(facetColumns.hosts),
    };
  }

  async listClusters(
    filter: ClusterFilter = {},
  ): Promise<{ total: number; clusters: ClusterSummary[] }> {
    // the conditions are fixed text; every value is a bound parameter
    const params: unknown[] = [];
    const where = clusterConditions(filter).map((c) => {
      params.push(c.value);
      return `${c.column} ${c.op} $${params.length}`;
    });
    const tokens = searchTokens(filter.text);
    if (tokens?.length === 0) where.push("false");
    else if (tokens !== undefined) {
      // letters and digits only, so the parser takes each as one word, as it was indexed
      params.push(tokens.join(" "));
      where.push(`r.search @@ plainto_tsquery('simple', $${params.length})`);
    }
    const sort = checkSort(sortOrders, filter.sort);
    const { limit, offset } = page(filter);
    const from = `
      FROM clusters c JOIN reports r ON r.cluster_id = c.id
      ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
      GROUP BY c.id`;
    const total = await one<{ n: number }>(
      this.pool,
      `SELECT count(*)::integer AS n FROM (SELECT c.id ${from}) g`,
      params,
    );
    const rows = await query<ClusterRow>(
      this.pool,
      `SELECT c.id, c.key, c.title, c.kind, c.function, c.module, c.status,
              count(*)::integer AS count, ${iso("min(r.received_at)")} AS first_seen,
              ${iso("max(r.received_at)")} AS last_seen
       ${from} ORDER BY ${sort} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    );
    return { total: total?.n ?? 0, clusters: rows.map(clusterSummaryOf) };
  }

  async getCluster(id: number): Promise<Cluster | undefined> {
    if (!isRowId(id)) return undefined;
    // one snapshot on one connection: the parts agree with each other and with the counts
    return transaction(this.pool, "snapshot", async (client) => {
      const row = await one<ClusterDetailRow>(client, clusterSql.row, [id]);
      if (!row) return undefined;
      const top = [id, CLUSTER_TOP_ROWS];
      return clusterOf(row, {
        perDay: await query(client, clusterSql.perDay, [id]),
        perHost: await query(client, clusterSql.perHost, top),
        perRelease: await query(client, clusterSql.perRelease, top),
        paths: await query(client, clusterSql.paths, top),
        best: (await one<{ id: number }>(client, clusterSql.best, [id]))?.id,
        knownBugs: await query(client, clusterSql.knownBugs, top),
      });
    });
  }

  async setClusterStatus(
    id: number,
    status: ClusterStatus,
    note: string,
    version?: string,
  ): Promise<void> {
    checkStatus(status, version);
    if (!isRowId(id)) throw new StoreError("not-found", `no cluster ${id}`);
    const result = await this.pool.query(
      "UPDATE clusters SET status = $1, note = $2, fixed_in = $3 WHERE id = $4",
      [status, note, status === "fixed-in" ? (version ?? null) : null, id].map(toParam),
    );
    if (result.rowCount === 0) throw new StoreError("not-found", `no cluster ${id}`);
  }

  async recluster(): Promise<ReclusterResult> {
    // exclusive: waits for the ingests under way, and new ones wait for it
    return transaction(this.pool, "recluster", async (client) => {
      const rule = new ReclusterRule();
      for (let after = 0; ; ) {
        const rows = await query<{ id: number; hash: string; cluster_id: number; report: never }>(
          client,
          "SELECT id, hash, cluster_id, report FROM reports WHERE id > $1 ORDER BY id LIMIT $2",
          [after, RECLUSTER_PAGE],
        );
        if (rows.length === 0) break;
        for (const row of rows) {
          const facts = clusterFacts(row.report, row.hash, this.rules);
          const keySha = sha256Hex(facts.key);
          const keyCluster = await one<{ id: number }>(
            client,
            "SELECT id FROM clusters WHERE key_sha = $1",
            [keySha],
          );
          const target = rule.target(row.cluster_id, keyCluster?.id);
          if (target === "rekey")
            await client.query(
              `UPDATE clusters SET key = $1, key_sha = $2, title = $3, kind = $4, function = $5,
                 module = $6 WHERE id = $7`,
              [
                facts.key,
                keySha,
                facts.title,
                facts.kind,
                facts.function,
                facts.module,
                row.cluster_id,
              ].map(toParam),
            );
          const cluster =
            target === "rekey"
              ? row.cluster_id
              : target === "new"
                ? await makeCluster(client, facts, keySha)
                : target;
          rule.placed(row.cluster_id, cluster);
          await client.query(
            "UPDATE reports SET cluster_id = $1, module = $2, path = $3 WHERE id = $4",
            [cluster, facts.module, JSON.stringify(facts.path), row.id].map(toParam),
          );
        }
        after = rows.at(-1)?.id ?? after;
      }
      await client.query(
        `DELETE FROM clusters c WHERE ${UNTOUCHED_CLUSTER_SQL}
           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.cluster_id = c.id)`,
      );
      const clusters = await one<{ n: number }>(
        client,
        "SELECT count(DISTINCT cluster_id)::integer AS n FROM reports",
      );
      return rule.result(clusters?.n ?? 0);
    });
  }

  async createToken(token: { name: string; role: TokenRole; hash: string }): Promise<TokenInfo> {
    checkToken(token);
    const row = await one<TokenRow>(
      this.pool,
      `INSERT INTO tokens (name, role, hash) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING ${tokenColumns}`,
      [token.name, token.role, token.hash],
    );
    if (row) return tokenOf(row);
    const named = await one(this.pool, "SELECT 1 FROM tokens WHERE name = $1", [token.name]);
    throw tokenExists(token.name, named !== undefined);
  }

  async tokenByHash(hash: string): Promise<TokenInfo | undefined> {
    const row = await one<TokenRow>(
      this.pool,
      `SELECT ${tokenColumns} FROM tokens WHERE hash = $1`,
      [hash],
    );
    return row && tokenOf(row);
  }

  async listTokens(): Promise<TokenInfo[]> {
    return (await query<TokenRow>(this.pool, `SELECT ${tokenColumns} FROM tokens ORDER BY id`)).map(
      tokenOf,
    );
  }

  async revokeToken(id: number): Promise<boolean> {
    if (!isRowId(id)) return false;
    const result = await this.pool.query("DELETE FROM tokens WHERE id = $1", [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The insert lost a race on the content hash: the transaction is rolled back. */
class Duplicate extends Error {}

async function findByHash(db: Queryable, hash: string): Promise<IngestResult | undefined> {
  const row = await one<{ id: number; cluster_id: number }>(
    db,
    "SELECT id, cluster_id FROM reports WHERE hash = $1",
    [hash],
  );
  return row && { id: row.id, cluster: row.cluster_id, duplicate: true };
}

/** Makes the cluster for `facts` (looked for first: ON CONFLICT spends a sequence value on
 * every known key); when another server made it meanwhile, that one. */
async function makeCluster(
  client: pg.PoolClient,
  facts: ClusterFacts,
  keySha: string,
): Promise<number> {
  const made = await one<{ id: number }>(
    client,
    `INSERT INTO clusters (key, key_sha, title, kind, function, module)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key_sha) DO NOTHING RETURNING id`,
    [facts.key, keySha, facts.title, facts.kind, facts.function, facts.module],
  );
  // READ COMMITTED: this new statement sees the row the other transaction committed
  const id =
    made?.id ??
    (await one<{ id: number }>(client, "SELECT id FROM clusters WHERE key_sha = $1", [keySha]))?.id;
  if (id === undefined) throw new StoreError("bad-data", "a cluster made meanwhile is gone again");
  return id;
}

async function migrate(pool: pg.Pool): Promise<void> {
  await transaction(pool, "migrate", async (client) => {
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(),
         why text NOT NULL)`,
    );
    const applied = new Set(
      (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_migrations (version, why) VALUES ($1, $2)", [
        m.version,
        m.why,
      ]);
    }
  });
}
