/**
 * The JSON API as the UI calls it: one `fetch` wrapper that adds the token and turns the
 * contract's error bodies into `ApiError`s. Response types are the store's own.
 */
import type { DiagnosedReport } from "../../src/diagnose/index.js";
import type {
  Cluster,
  ClusterFilter,
  ClusterStatus,
  ClusterSummary,
  Facets,
  ReportSummary,
  StoredReport,
  TokenRole,
} from "../../src/store/types.js";

/** the store's statuses in workflow order (a value: types.ts has no other runtime code) */
export { clusterStatuses } from "../../src/store/types.js";

export type {
  Cluster,
  ClusterStatus,
  ClusterSummary,
  DiagnosedReport,
  Facets,
  ReportSummary,
  StoredReport,
  TokenRole,
};

export interface Health {
  ok: true;
  version: string;
  store: "sqlite" | "postgres";
  auth: "token" | "none";
  role: TokenRole;
}

export interface AnalyzeResult {
  reports: DiagnosedReport[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "crashlens.token";

/** The token lives for the browser tab only: closing it signs out. */
export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Called on every 401 so the app can ask for a token again. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(method: string, path: string, body?: BodyInit, type?: string) {
  const headers: Record<string, string> = { accept: "application/json" };
  const secret = token.get();
  if (secret) headers.authorization = `Bearer ${secret}`;
  if (type) headers["content-type"] = type;
  const response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body }) });
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401) onUnauthorized();
    throw new ApiError(
      response.status,
      error?.code ?? "http",
      error?.message ?? `${method} ${path}: HTTP ${response.status}`,
    );
  }
  return payload as T;
}

/** `?a=1&b=2` of the defined, non-empty values */
function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The store's cluster filter as the API's query spells it (`q` for the search words). */
export type ClusterQuery = Omit<ClusterFilter, "text"> & { q?: string };

export const api = {
  health: () => request<Health>("GET", "/api/health"),
  facets: () => request<Facets>("GET", "/api/facets"),
  clusters: (params: ClusterQuery) =>
    request<{ total: number; clusters: ClusterSummary[] }>(
      "GET",
      `/api/clusters${query({ ...params })}`,
    ),
  cluster: (id: number) => request<Cluster>("GET", `/api/clusters/${id}`),
  clusterReports: (id: number, limit: number, offset: number) =>
    request<{ total: number; reports: ReportSummary[] }>(
      "GET",
      `/api/clusters/${id}/reports${query({ limit, offset })}`,
    ),
  setStatus: (id: number, change: { status: ClusterStatus; note: string; fixedIn?: string }) =>
    request<Cluster>("PATCH", `/api/clusters/${id}`, JSON.stringify(change), "application/json"),
  report: (id: number) => request<StoredReport>("GET", `/api/reports/${id}`),
  analyze: (text: string) =>
    request<AnalyzeResult>("POST", "/api/analyze", text, "text/plain; charset=utf-8"),
};
