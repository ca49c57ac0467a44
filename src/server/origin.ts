/**
 * @module server/origin
 * Browsers as confused deputies. In local mode every request is admin, so a web page the user
 * visits must not reach the API: a page that rebinds its own name to 127.0.0.1 still sends its
 * name as `Host`, and a cross-site form or fetch sends its page's `Origin`. Local mode answers
 * only requests addressed to a loopback name; any mode refuses a state-changing request from a
 * foreign origin (the UI's own requests carry the server's origin, the agent's none).
 */
import type { FastifyRequest } from "fastify";
import { ApiError } from "./errors.js";

/** The names local mode answers to. */
const LOCAL_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Methods that change nothing: a foreign page can send them but not read their answer. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `Host` split into its name and port ("" when none is given). */
function hostParts(host: string): { name: string; port: string } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host.toLowerCase());
  return { name: match?.[1] ?? host, port: match?.[2] ?? "" };
}

/**
 * Throws the 403 unless the request is addressed to a loopback name and, when the server
 * listens, to its port (`port` undefined: not listening, as under `inject()`).
 */
export function requireLocalHost(request: FastifyRequest, port: number | undefined): void {
  const host = request.headers.host ?? "";
  const { name, port: given } = hostParts(host);
  const portOk = port === undefined || given === String(port) || (given === "" && port === 80);
  if (LOCAL_HOSTS.has(name) && portOk) return;
  throw new ApiError(
    403,
    "forbidden",
    `local mode answers only requests addressed to 127.0.0.1, [::1] or localhost${port === undefined ? "" : ` port ${port}`}, not ${JSON.stringify(host)}`,
  );
}

/** True when `origin` is the origin of the server the request was addressed to. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const from = new URL(origin);
    if (from.protocol !== "http:" && from.protocol !== "https:") return false;
    // parsed the same way, so default ports (":80") compare equal
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Throws the 403 for a request from another origin: every method in local mode, the
 * state-changing ones with a token (a browser holding no token cannot use one anyway).
 */
export function requireOwnOrigin(request: FastifyRequest, local: boolean): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!local && SAFE_METHODS.has(request.method)) return;
  if (isOwnOrigin(origin, request.headers.host)) return;
  throw new ApiError(
    403,
    "forbidden",
    `requests from another origin (${JSON.stringify(origin)}) are refused`,
  );
}
