/**
 * @module server/auth
 * Who may call what. Requests carry `Authorization: Bearer <secret>`; the store keeps only the
 * SHA-256 of each secret, so a request is matched by hashing what it sent. With no token in
 * the store and the server on loopback only ("local mode") every request is admin: one person
 * on their own machine needs no set-up, and `serve` refuses to listen further without a token.
 */
import { createHash, randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Store, TokenRole } from "../store/types.js";
import { ApiError } from "./errors.js";

/** The roles each API route admits, by `METHOD /url` as the route is registered. */
export const routeRoles: Readonly<Record<string, readonly TokenRole[] | "public">> = {
  "GET /api/health": ["ingest", "read", "admin"],
  "GET /api/openapi.json": "public",
  "POST /api/reports": ["ingest", "admin"],
  "POST /api/analyze": ["read", "admin"],
  "GET /api/reports": ["read", "admin"],
  "GET /api/reports/:id": ["read", "admin"],
  "GET /api/clusters": ["read", "admin"],
  "GET /api/clusters/:id": ["read", "admin"],
  "GET /api/clusters/:id/reports": ["read", "admin"],
  "PATCH /api/clusters/:id": ["admin"],
  "GET /api/facets": ["read", "admin"],
};

/** What a request was allowed as: its role, and whether a token said so. */
export interface Principal {
  role: TokenRole;
  auth: "token" | "none";
  /** the token's hash: the rate limit's key (with the address) */
  tokenHash?: string;
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const TOKEN_PREFIX = "clk_";

/** A new secret: shown once, never stored. */
export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function tokenHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The secret of `Authorization: Bearer <secret>`, or undefined. */
export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * Whether the store has no token, asked at most once a second: local mode is decided on every
 * request, and a token made while the server runs must end it soon, but not at the price of
 * reading the token table for each request.
 */
export class LocalModeCheck {
  private answer: { at: number; noTokens: Promise<boolean> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs = 1000,
  ) {}

  noTokens(): Promise<boolean> {
    const now = Date.now();
    if (!this.answer || now - this.answer.at >= this.maxAgeMs) {
      const noTokens = this.store.listTokens().then((tokens) => tokens.length === 0);
      // a failed read is not remembered
      noTokens.catch(() => {
        this.answer = undefined;
      });
      this.answer = { at: now, noTokens };
    }
    return this.answer.noTokens;
  }
}

export interface AuthOptions {
  store: Store;
  /** the server listens on loopback only, so local mode is possible */
  localMode?: LocalModeCheck;
}

/**
 * The principal of a request, or the 401 it gets. A secret that was sent must be known, even
 * in local mode: only a request with no token at all is let in as the local admin.
 */
export async function authenticate(
  request: FastifyRequest,
  { store, localMode }: AuthOptions,
): Promise<Principal> {
  const secret = bearerOf(request);
  if (secret !== undefined) {
    const hash = tokenHash(secret);
    const token = await store.tokenByHash(hash);
    if (token) return { role: token.role, auth: "token", tokenHash: hash };
    throw new ApiError(401, "unauthorized", "the token is not known to this server");
  }
  if (localMode && (await localMode.noTokens())) return { role: "admin", auth: "none" };
  throw new ApiError(
    401,
    "unauthorized",
    "this server needs a token: send Authorization: Bearer <token> (crashlens token create)",
  );
}

/** Throws the 403 when `role` may not call the route `key`. */
export function authorize(key: string, principal: Principal): void {
  const allowed = routeRoles[key] ?? ["admin"];
  if (allowed === "public" || allowed.includes(principal.role)) return;
  throw new ApiError(
    403,
    "forbidden",
    `a ${principal.role} token may not call ${key} (it needs ${allowed.join(" or ")})`,
  );
}
