/**
 * @module store/open
 * One place that turns a store location into a store: a postgres:// or postgresql:// URL is
 * a PostgreSQL database, anything else the path of a SQLite file.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ClusterRules } from "./cluster.js";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./types.js";

export interface OpenStoreOptions {
  maxBodyBytes?: number;
  clusterRules?: ClusterRules;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location);
}

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) return PostgresStore.open(location, options);
  const path = resolve(location);
  mkdirSync(dirname(path), { recursive: true });
  return SqliteStore.open(path, options);
}

/** The location for a log line: the user, host, port and database of a URL (never its
 * password or query parameters, which may hold one), or the file's absolute path. */
export function describeStore(location: string): string {
  if (!isPostgresUrl(location)) return `sqlite ${resolve(location)}`;
  try {
    const url = new URL(location);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
    return `postgres ${user}${url.host}${url.pathname}`;
  } catch {
    return "postgres (an unreadable URL)";
  }
}
