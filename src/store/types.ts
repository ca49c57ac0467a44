/**
 * @module store/types
 * The fleet store's one interface. Every method is async so a PostgreSQL implementation can
 * follow behind the same tests; the SQLite one (`sqlite.ts`) is the default.
 */
import type { DiagnosedReport } from "../diagnose/index.js";

export type ClusterStatus = "new" | "triaged" | "fixed-in" | "ignored";
export const clusterStatuses: readonly ClusterStatus[] = ["new", "triaged", "fixed-in", "ignored"];

/** Where a report came from: a text input `analyze` accepts, or a dump's extracted facts. */
export type ReportSource =
  | { kind: "text"; text: string }
  | { kind: "dump"; name: string; facts: unknown; log: string };

/** One crash report as crashlens analysed it, with what the submitter said about it. */
export interface IngestedReport {
  source: ReportSource;
  host: string;
  labels: Record<string, string>;
  /** when the store received it (ISO 8601); defaults to now */
  receivedAt?: string;
  /** the diagnosed report (`analyzeText` + `diagnose`), as the JSON contract prints it */
  report: DiagnosedReport;
}

export interface IngestResult {
  id: number;
  cluster: number;
  /** the same content (host, text, report span) was stored before: nothing was written */
  duplicate: boolean;
}

export interface StoredReport {
  id: number;
  cluster: number;
  hash: string;
  host: string;
  labels: Record<string, string>;
  receivedAt: string;
  source: ReportSource;
  report: DiagnosedReport;
}

export type ClusterSort = "last-seen" | "first-seen" | "count" | "title";

export interface ClusterFilter {
  kind?: string;
  /** the crashing function's module */
  module?: string;
  release?: string;
  host?: string;
  /** ISO 8601 bounds on the reports' received time, inclusive (a date alone is its day's
   * start, UTC; anything else is refused) */
  from?: string;
  to?: string;
  /** full-text search over titles, culprits, hosts and report text: the clusters with a
   * report holding every word of it (letters and digits; case and diacritics ignored;
   * punctuation alone matches nothing; see store/common `searchTokens`) */
  text?: string;
  sort?: ClusterSort;
  limit?: number;
  offset?: number;
}

export interface ClusterSummary {
  id: number;
  key: string;
  title: string;
  kind: string;
  function: string | null;
  module: string | null;
  count: number;
  firstSeen: string;
  lastSeen: string;
  status: ClusterStatus;
}

export interface Cluster extends ClusterSummary {
  note: string;
  /** the release that has the fix, for `fixed-in` */
  fixedIn: string | null;
  perDay: Array<{ day: string; count: number }>;
  /** the hosts with the most reports, at most CLUSTER_TOP_ROWS (store/common) */
  perHost: Array<{ host: string; count: number }>;
  /** how many distinct hosts in all (perHost may list fewer) */
  hostCount: number;
  /** the releases with the most reports, at most CLUSTER_TOP_ROWS */
  perRelease: Array<{ release: string; count: number }>;
  /** how many distinct releases in all ("" for none counts as one) */
  releaseCount: number;
  /** the report that shows the most: uncorrupted, with a culprit, most evidence; then the latest */
  bestExample: number;
  /** known-bug matches over the cluster's reports, best first (id, confidence, how many
   * reports), at most CLUSTER_TOP_ROWS */
  knownBugs: Array<{ id: string; subject: string; confidence: string; reports: number }>;
  /** the caller paths seen most (first frames after the crashing function), at most
   * CLUSTER_TOP_ROWS */
  paths: Array<{ frames: string[]; count: number }>;
  /** how many distinct caller paths in all */
  pathCount: number;
}

export interface ReclusterResult {
  reports: number;
  clusters: number;
  /** reports whose cluster key changed */
  moved: number;
}

/** One row of a report list: what a table of reports shows, without the log or the analysis. */
export interface ReportSummary {
  id: number;
  cluster: number;
  host: string;
  labels: Record<string, string>;
  receivedAt: string;
  kind: string;
  title: string;
  release: string | null;
  /** "symbol [module]" */
  culprit: string | null;
}

export interface ReportFilter {
  cluster?: number;
  host?: string;
  /** newest first; at most 1000 */
  limit?: number;
  offset?: number;
}

/** The distinct values the cluster filters can take, for the UI's choices. */
export interface Facets {
  kinds: string[];
  modules: string[];
  releases: string[];
  hosts: string[];
}

/** ingest: may only submit reports; read: the UI and the API's GETs; admin: everything */
export type TokenRole = "ingest" | "read" | "admin";
export const tokenRoles: readonly TokenRole[] = ["ingest", "read", "admin"];

/** An API token as stored: only the SHA-256 of the secret is kept, never the secret. */
export interface TokenInfo {
  id: number;
  name: string;
  role: TokenRole;
  createdAt: string;
}

export interface Store {
  /** "sqlite" or "postgres", for the health check and the logs */
  readonly kind: "sqlite" | "postgres";
  ingest(report: IngestedReport): Promise<IngestResult>;
  getReport(id: number): Promise<StoredReport | undefined>;
  listReports(filter?: ReportFilter): Promise<{ total: number; reports: ReportSummary[] }>;
  facets(): Promise<Facets>;
  listClusters(filter?: ClusterFilter): Promise<{ total: number; clusters: ClusterSummary[] }>;
  getCluster(id: number): Promise<Cluster | undefined>;
  setClusterStatus(
    id: number,
    status: ClusterStatus,
    note: string,
    version?: string,
  ): Promise<void>;
  /** clusters whose key was made by other clustering rules than this crashlens' (see
   * store/cluster `clusterRulesVersion`): `recluster()` regroups them */
  staleClusters(): Promise<number>;
  /** re-run the clustering over every stored report (after a rule change) */
  recluster(): Promise<ReclusterResult>;
  /** `hash` is the hex SHA-256 of the secret; names are unique */
  createToken(token: { name: string; role: TokenRole; hash: string }): Promise<TokenInfo>;
  tokenByHash(hash: string): Promise<TokenInfo | undefined>;
  listTokens(): Promise<TokenInfo[]>;
  /** false when there was no such token */
  revokeToken(id: number): Promise<boolean>;
  close(): Promise<void>;
}
