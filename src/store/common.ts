/**
 * @module store/common
 * What both stores (SQLite, PostgreSQL) share, so they cannot drift apart: the content hash,
 * the size limits, the paging bounds, the time format, the row-to-result mappings and the
 * known-bug aggregation of a cluster.
 */
import { createHash } from "node:crypto";
import { CrashlensError } from "../errors.js";
import { clusterRulesVersion } from "./cluster.js";
import {
  type Cluster,
  type ClusterStatus,
  type ClusterSummary,
  clusterStatuses,
  type Facets,
  type IngestedReport,
  type ReclusterResult,
  type ReportSource,
  type ReportSummary,
  type TokenInfo,
  type TokenRole,
  tokenRoles,
} from "./types.js";

/** Bodies larger than this are refused (a console log around a crash is far smaller). */
export const DEFAULT_MAX_BODY_BYTES = 8 << 20;
/** The most hosts, releases, paths and known bugs one cluster lists (the most frequent). */
export const CLUSTER_TOP_ROWS = 100;
/** The most rows one list call returns. */
export const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 50;

/** Host names and labels are short by nature; these bound what one submission may claim. */
export const MAX_HOST_BYTES = 255;
export const MAX_LABELS_BYTES = 4096;
export const MAX_TOKEN_NAME_BYTES = 200;

export class StoreError extends CrashlensError {}

/** Another writer held the store's write lock longer than a write waits for it. */
export class StoreLockedError extends StoreError {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super("os", message, details);
  }
}

/** The hex SHA-256 of a text (UTF-8): content hashes, cluster key hashes, token hashes. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Line breaks as the log parser counts them (text/line-source): `\n`, CRs then `\n`, or a
 * run of CRs alone; so `report.lines` index the array this splits into. */
const LINE_BREAK = /\r*\n|\r+/;

/**
 * The content hash: the same report from the same host, whatever its line endings and
 * trailing blanks. Only the report's own lines count (`report.lines`), not the rest of the
 * submission: a console log sent again after it grew holds the same reports, not new ones.
 * (Before, the whole submission was hashed; rows stored then keep their hash.)
 */
export function contentHash(report: IngestedReport): string {
  const { start, end } = report.report.lines;
  const own = sourceText(report.source)
    .split(LINE_BREAK)
    .slice(Math.max(0, start - 1), Math.max(0, end))
    .map((line) => line.replace(/[ \t]+$/, ""))
    .join("\n")
    .trim();
  return sha256Hex(`${report.host}\0${report.source.kind}\0${own}`);
}

/** The text a report's line numbers refer to. */
export function sourceText(source: ReportSource): string {
  return source.kind === "text" ? source.text : source.log;
}

function checkSize(what: string, bytes: number, max: number): void {
  if (bytes > max)
    throw new StoreError("limit", `${what} is ${bytes} bytes, more than the limit of ${max}`, {
      field: what,
      value: bytes,
      max,
    });
}

/** What an ingest writes besides the cluster facts, checked against the limits first. */
export interface IngestRow {
  hash: string;
  body: string;
  labels: string;
  receivedAt: string;
  release: string | null;
  /** "symbol [module]" */
  culprit: string | null;
  corrupted: boolean;
}

export function ingestRow(input: IngestedReport, maxBodyBytes: number): IngestRow {
  const body = sourceText(input.source);
  checkSize("report body", Buffer.byteLength(body, "utf8"), maxBodyBytes);
  checkSize("host name", Buffer.byteLength(input.host, "utf8"), MAX_HOST_BYTES);
  const labels = JSON.stringify(input.labels);
  checkSize("labels", Buffer.byteLength(labels, "utf8"), MAX_LABELS_BYTES);
  const { report } = input;
  return {
    hash: contentHash(input),
    body,
    labels,
    receivedAt:
      input.receivedAt === undefined ? new Date().toISOString() : isoTime(input.receivedAt),
    release: report.kernel.release ?? null,
    culprit: report.culprit
      ? `${report.culprit.symbol}${report.culprit.module ? ` [${report.culprit.module}]` : ""}`
      : null,
    corrupted: Boolean(report.corrupted),
  };
}

/** One time format in both stores (`toISOString`'s, UTC), so text order is time order. */
export function isoTime(text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new StoreError("usage", `not a time: ${JSON.stringify(text)}`);
  return new Date(ms).toISOString();
}

/** `limit` and `offset` of a list call, bounded. */
export function page(filter: { limit?: number; offset?: number }): {
  limit: number;
  offset: number;
} {
  const limit = Math.max(0, Math.min(MAX_LIMIT, Math.trunc(filter.limit ?? DEFAULT_LIMIT)));
  const offset = Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, Math.trunc(filter.offset ?? 0)));
  return { limit: Number.isFinite(limit) ? limit : DEFAULT_LIMIT, offset: offset || 0 };
}

/** Row ids are 32-bit (PostgreSQL's integer); anything else names no row, in both stores. */
export const MAX_ROW_ID = 2 ** 31 - 1;

export function isRowId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_ROW_ID;
}

export function checkStatus(status: ClusterStatus, version: string | undefined): void {
  if (!clusterStatuses.includes(status))
    throw new StoreError("usage", `unknown cluster status ${JSON.stringify(status)}`);
  if (status === "fixed-in" && !version)
    throw new StoreError("usage", "status fixed-in needs the version that has the fix");
}

export function checkToken(token: { name: string; role: TokenRole; hash: string }): void {
  if (!tokenRoles.includes(token.role))
    throw new StoreError("usage", `unknown token role ${JSON.stringify(token.role)}`);
  if (token.name === "") throw new StoreError("usage", "a token needs a name");
  checkSize("token name", Buffer.byteLength(token.name, "utf8"), MAX_TOKEN_NAME_BYTES);
  if (!/^[0-9a-f]{64}$/.test(token.hash))
    throw new StoreError("usage", "a token's hash is the hex SHA-256 of its secret");
}

/** The error for an insert that met an existing name or hash. */
export function tokenExists(name: string, nameTaken: boolean): StoreError {
  return nameTaken
    ? new StoreError("usage", `a token named ${JSON.stringify(name)} exists already`)
    : new StoreError("usage", "a token with this secret exists already");
}

export interface ClusterSummaryRow {
  id: number;
  key: string;
  title: string;
  kind: string;
  function: string | null;
  module: string | null;
  status: ClusterStatus;
  count: number;
  first_seen: string;
  last_seen: string;
}

/** A cluster's own row with its report counts, for `getCluster`. */
export interface ClusterRow extends ClusterSummaryRow {
  note: string;
  fixed_in: string | null;
}

export function clusterSummaryOf(row: ClusterSummaryRow): ClusterSummary {
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

/** The report columns the facets list; fixed text, never a value. */
export const facetColumns = {
  kinds: "kind",
  modules: "module",
  releases: "release",
  hosts: "host",
} as const satisfies Record<keyof Facets, string>;

export interface ReportSummaryRow {
  id: number;
  cluster_id: number;
  host: string;
  /** JSON text (SQLite) or already parsed (PostgreSQL's jsonb) */
  labels: string | Record<string, string>;
  received_at: string;
  kind: string;
  title: string;
  release: string | null;
  culprit: string | null;
}

export function reportSummaryOf(row: ReportSummaryRow): ReportSummary {
  return {
    id: row.id,
    cluster: row.cluster_id,
    host: row.host,
    labels: typeof row.labels === "string" ? JSON.parse(row.labels) : row.labels,
    receivedAt: row.received_at,
    kind: row.kind,
    title: row.title,
    release: row.release,
    culprit: row.culprit,
  };
}

export interface TokenRow {
  id: number;
  name: string;
  role: TokenRole;
  created_at: string;
}

export function tokenOf(row: TokenRow): TokenInfo {
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at };
}

/** A cluster's own row with its report counts and its distinct hosts, releases, paths. */
export interface ClusterDetailRow extends ClusterRow {
  host_count: number;
  release_count: number;
  path_count: number;
}

/** What `getCluster` reads besides the cluster's row, each list bounded by CLUSTER_TOP_ROWS. */
export interface ClusterParts {
  perDay: Cluster["perDay"];
  perHost: Cluster["perHost"];
  perRelease: Cluster["perRelease"];
  /** each path as the JSON text of its frames */
  paths: Array<{ path: string; count: number }>;
  best: number | undefined;
  knownBugs: Cluster["knownBugs"];
}

export function clusterOf(row: ClusterDetailRow, parts: ClusterParts): Cluster {
  return {
    ...clusterSummaryOf(row),
    note: row.note,
    fixedIn: row.fixed_in,
    perDay: parts.perDay,
    perHost: parts.perHost,
    hostCount: row.host_count,
    perRelease: parts.perRelease,
    releaseCount: row.release_count,
    paths: parts.paths.map((p) => ({ frames: JSON.parse(p.path) as string[], count: p.count })),
    pathCount: row.path_count,
    bestExample: parts.best ?? 0,
    knownBugs: parts.knownBugs,
  };
}

/**
 * The known bugs over a cluster's reports, as both stores aggregate them in SQL: a bug
 * (an entry of a report's `knownBugs` with a non-empty text id) counts once per report,
 * keeps its subject from its first report (report id order) and its best confidence
 * (exact, likely, possible, anything else), and the list is best first, then the most
 * reports, then by id. The rank of a confidence, as SQL (`expr` is fixed text).
 */
export const confidenceRankSql = (expr: string) =>
  `CASE ${expr} WHEN 'exact' THEN 0 WHEN 'likely' THEN 1 WHEN 'possible' THEN 2 ELSE 3 END`;

/** The aggregation after a `bugs (report, pos, id, subject, confidence, rank)` CTE each store
 * writes (its JSON functions differ), in SQL both run; `idOrder` sorts ids in code-unit
 * order; the caller appends the LIMIT. */
export const knownBugsAggregateSql = (idOrder: string) => `,
  ordered AS (
    SELECT id, subject, confidence, rank, report,
           row_number() OVER (PARTITION BY id ORDER BY report, pos) AS nth,
           row_number() OVER (PARTITION BY id ORDER BY rank, report, pos) AS nth_best
    FROM bugs)
  SELECT id, MAX(CASE WHEN nth = 1 THEN subject END) AS subject,
         MAX(CASE WHEN nth_best = 1 THEN confidence END) AS confidence,
         CAST(COUNT(DISTINCT report) AS integer) AS reports
  FROM ordered GROUP BY id
  ORDER BY MIN(rank), COUNT(DISTINCT report) DESC, ${idOrder}`;

/** Code-unit order, as SQLite's BINARY and PostgreSQL's "C" collation sort (for ASCII). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The words a search matches, the same in both stores: runs of letters, digits and private
 * use characters (SQLite FTS5's unicode61 token characters), lower-cased and without
 * diacritics. A report matches when it holds every word of the search, anywhere (for
 * "vfio_dma_do_unmap": vfio, dma, do and unmap). Undefined for a blank search (no filter);
 * empty when the search has no word at all (only punctuation: it matches nothing).
 */
export function searchTokens(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  return [...new Set(tokensOf(text))];
}

function tokensOf(text: string): string[] {
  return (
    text
      .normalize("NFD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}\p{Co}]+/gu) ?? []
  );
}

/** How many bytes of distinct words the search index takes per report, in both stores: a
 * PostgreSQL tsvector holds at most 1 MiB, and a console log around a crash has far fewer
 * distinct words than this. */
export const MAX_SEARCH_BYTES = 512 << 10;
/** A PostgreSQL lexeme is at most 2 kB (500 characters of up to 4 bytes); longer words are
 * not searchable, in either store. */
export const MAX_TOKEN_CHARS = 500;

/** The words a report is found by, the same in both stores (PostgreSQL's tsvector; SQLite's
 * FTS5 indexes them as its body column): its title's, culprit's, host's and text's, in that
 * order, while they fit MAX_SEARCH_BYTES. */
export function searchWords(report: IngestedReport): string[] {
  return indexTokens(
    [
      report.report.title,
      report.report.culprit?.symbol ?? "",
      report.host,
      sourceText(report.source),
    ],
    MAX_SEARCH_BYTES,
    MAX_TOKEN_CHARS,
  );
}

/** The distinct words of a report's searchable parts, in order, until they take `maxBytes`
 * (UTF-8, with 4 bytes of overhead each, as a PostgreSQL tsvector stores them); words longer
 * than `maxTokenChars` are left out. */
export function indexTokens(
  parts: readonly string[],
  maxBytes: number,
  maxTokenChars: number,
): string[] {
  const tokens = new Set<string>();
  let size = 0;
  for (const part of parts)
    for (const token of tokensOf(part)) {
      if (token.length > maxTokenChars || tokens.has(token)) continue;
      size += Buffer.byteLength(token, "utf8") + 4;
      if (size > maxBytes) return [...tokens];
      tokens.add(token);
    }
  return [...tokens];
}

/** The equality and time filters of a cluster list, as (column, operator, value) rows that
 * each store renders with its own placeholders; the column and operator are fixed text. */
const clusterFilterColumns = [
  { field: "kind", column: "r.kind", op: "=" },
  { field: "module", column: "r.module", op: "=" },
  { field: "release", column: "r.release", op: "=" },
  { field: "host", column: "r.host", op: "=" },
  { field: "from", column: "r.received_at", op: ">=" },
  { field: "to", column: "r.received_at", op: "<=" },
] as const;

export interface Condition {
  column: string;
  op: string;
  value: string;
}

export function clusterConditions(filter: {
  kind?: string;
  module?: string;
  release?: string;
  host?: string;
  from?: string;
  to?: string;
}): Condition[] {
  const out: Condition[] = [];
  for (const { field, column, op } of clusterFilterColumns) {
    const value = filter[field];
    if (value === undefined) continue;
    out.push({ column, op, value: field === "from" || field === "to" ? isoTime(value) : value });
  }
  return out;
}

/** The sorts a cluster list takes; each store writes them in its SQL. */
export function checkSort<T>(orders: Record<string, T>, sort: string | undefined): T {
  const order = orders[sort ?? "last-seen"];
  if (order === undefined || !Object.hasOwn(orders, sort ?? "last-seen"))
    throw new StoreError("usage", `unknown sort ${JSON.stringify(sort)}`);
  return order;
}

/** Reports read per step of a recluster, so memory stays bounded on a large store. */
export const RECLUSTER_PAGE = 500;

/** The clusters a recluster deletes once no report is in them: those nobody wrote on (SQL
 * condition on the clusters table, the same in both stores). */
export const UNTOUCHED_CLUSTER_SQL = "status = 'new' AND note = ''";

/**
 * The recluster rule both stores follow, report by report in id order: a cluster keeps its
 * id, status and note through a rule change. A report goes to the cluster its new key has;
 * else its old cluster takes the new key over, when no report went there yet; else a new
 * cluster is made (a split). Reports whose key has a cluster join it (a merge).
 */
export class ReclusterRule {
  private readonly used = new Set<number>();
  private reports = 0;
  private moved = 0;

  /** Where a report of `oldCluster` goes: `keyCluster` (the cluster of its new key, if any),
   * its old cluster re-keyed ("rekey"), or a new cluster ("new"). */
  target(oldCluster: number, keyCluster: number | undefined): number | "rekey" | "new" {
    if (keyCluster !== undefined) return keyCluster;
    return this.used.has(oldCluster) ? "new" : "rekey";
  }

  /** Records that a report of `oldCluster` went to `cluster`. */
  placed(oldCluster: number, cluster: number): void {
    this.used.add(cluster);
    this.reports++;
    if (cluster !== oldCluster) this.moved++;
  }

  result(clusters: number): ReclusterResult {
    return { reports: this.reports, clusters, moved: this.moved };
  }
}

/** The prefix every cluster key of the current rules starts with. */
export const currentKeyPrefix = `v${clusterRulesVersion}\x1f`;
