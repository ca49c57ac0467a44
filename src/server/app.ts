/**
 * @module server/app
 * The fastify application without a socket (tests call `inject()` on it; `start.ts` listens).
 * Order matters and is the order here: security headers on every answer, the rate limit
 * (keyed by who authentication says the caller is), then the refusals before any body is read
 * (unknown caller, foreign origin, role too low, no such API route), the body parsers (a dump
 * streams to a temporary file), the API routes, the OpenAPI document, the UI.
 */
import { tmpdir } from "node:os";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { DEFAULT_MAX_BODY_BYTES } from "../store/common.js";
import type { Store } from "../store/types.js";
import { acquirePool } from "./analysis-pool.js";
import { type Analyzer, inProcessAnalyzer } from "./analyzer.js";
import { authenticate, authorize, LocalModeCheck, type Principal, routeRoles } from "./auth.js";
import { ApiError, answerOf, errorHandler, sendError } from "./errors.js";
import { requireLocalHost, requireOwnOrigin } from "./origin.js";
import { defaultUiDir, packageVersion } from "./package-root.js";
import { analyzeRoutes } from "./routes/analyze.js";
import { clusterRoutes } from "./routes/clusters.js";
import type { RouteContext, TypedApp } from "./routes/context.js";
import { facetRoutes } from "./routes/facets.js";
import { healthRoutes } from "./routes/health.js";
import { reportRoutes } from "./routes/reports.js";
import { registerUi } from "./static.js";
import { DumpUpload, receiveDump, sweepAbandonedUploads } from "./upload.js";

export const DEFAULT_MAX_DUMP_BYTES = 256 << 20;

export interface AppOptions {
  store: Store;
  /** the server listens on loopback only, so local mode (no token in the store) applies;
   * default false */
  loopback?: boolean;
  /** default: dist/ui of the crashlens package */
  uiDir?: string;
  /** text bodies, default 8 MiB */
  maxBodyBytes?: number;
  /** octet-stream dumps, default 256 MiB, streamed to a temporary file */
  maxDumpBytes?: number;
  /** per token and client address (per address without a valid token); default 600 a minute */
  rateLimit?: { max: number; windowMs: number } | false;
  logger?: boolean;
  /** where uploaded dumps are kept while analysed (default: the system's temporary folder) */
  tempDir?: string;
  /** where text is analysed: worker threads, one per CPU (default), or the event loop */
  analysis?: "workers" | "in-process";
  /** an analyzer of one's own (tests); overrides `analysis` */
  analyzer?: Analyzer;
}

/** Every response, the UI's included: no inline script or style, no sniffing, no referrer. */
const securityHeaders: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** The route groups, one file each. */
const routeGroups = [healthRoutes, reportRoutes, analyzeRoutes, clusterRoutes, facetRoutes];

/** Per token and address: every machine of a fleet sharing one ingest token has its own
 * budget (10 a second, far above one machine's crashes), as has each caller without one. */
export const DEFAULT_RATE_LIMIT = { max: 600, windowMs: 60_000 };

function isApi(request: FastifyRequest): boolean {
  return request.url === "/api" || request.url.startsWith("/api/");
}

/** `METHOD /url` of the route a request matched, as `routeRoles` names it (HEAD is GET). */
function routeKey(request: FastifyRequest): string | undefined {
  const url = request.routeOptions.url;
  if (url === undefined) return undefined;
  return `${request.method === "HEAD" ? "GET" : request.method} ${url}`;
}

function apiPath(request: FastifyRequest): string {
  return request.url.split("?")[0] ?? "";
}

/** The port the app listens on; undefined when it does not (`inject()`). */
function listeningPort(app: FastifyInstance): number | undefined {
  const address = app.server.address();
  return typeof address === "object" && address !== null ? address.port : undefined;
}

function analyzerOf(app: FastifyInstance, options: AppOptions): Analyzer {
  if (options.analyzer) return options.analyzer;
  if (options.analysis === "in-process") return inProcessAnalyzer;
  const pool = acquirePool();
  app.addHook("onClose", () => pool.release());
  return pool.analyzer;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxDumpBytes = options.maxDumpBytes ?? DEFAULT_MAX_DUMP_BYTES;
  const limits = { maxBodyBytes, maxDumpBytes };
  const localMode = options.loopback ? new LocalModeCheck(options.store) : undefined;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: maxBodyBytes,
    // ids in URLs are short: a long path parameter is a mistake or an attack
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: "array", removeAdditional: false } },
    // a URL the router cannot decode (`/api/clusters/%E0`) gets the contract's shape too
    frameworkErrors: (error, _request, reply) => {
      sendError(reply, answerOf(error, limits, false));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler(limits));
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(securityHeaders);
    return payload;
  });

  // every API route says who may call it: one missing from the table is a bug, found at start
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/")) return;
    for (const method of [route.method].flat()) {
      if (method === "HEAD") continue;
      if (!(`${method} ${route.url}` in routeRoles))
        throw new Error(`route ${method} ${route.url} has no entry in routeRoles`);
    }
  });

  // authenticated once per request: the rate limit's key and the refusals both need it
  const principals = new WeakMap<FastifyRequest, Promise<Principal>>();
  const principalOf = (request: FastifyRequest): Promise<Principal> => {
    let principal = principals.get(request);
    if (!principal) {
      principal = authenticate(request, { store: options.store, localMode });
      principals.set(request, principal);
    }
    return principal;
  };

  const limit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  if (limit !== false) {
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.windowMs,
      // a known token: per token and address (each machine of a fleet its own budget); no
      // token or a made-up one: per address, so inventing tokens buys no requests
      keyGenerator: async (request) => {
        const principal = await principalOf(request).catch(() => undefined);
        return principal?.tokenHash === undefined
          ? `ip:${request.ip}`
          : `token:${principal.tokenHash}:${request.ip}`;
      },
      allowList: (request) => !isApi(request),
      errorResponseBuilder: (_request, context) =>
        new ApiError(
          429,
          "rate-limit",
          `more than ${context.max} requests in ${Math.round(limit.windowMs / 1000)} s from this token and address; retry in ${context.after}`,
        ),
    });
  }

  // before the body is read: an unknown caller cannot make the server stream a dump
  app.addHook("preParsing", async (request) => {
    if (!isApi(request)) return;
    const key = routeKey(request);
    if (key !== undefined && routeRoles[key] === "public") return;
    const principal = await principalOf(request);
    if (principal.auth === "none") requireLocalHost(request, listeningPort(app));
    requireOwnOrigin(request, principal.auth === "none");
    request.principal = principal;
    // an unknown API path matched by the UI's catch-all route is no API route
    if (key === undefined || !(key in routeRoles))
      throw new ApiError(
        404,
        "not-found",
        `no such API route: ${request.method} ${apiPath(request)}`,
      );
    authorize(key, principal);
  });

  const tempDir = options.tempDir ?? tmpdir();
  await sweepAbandonedUploads(tempDir);
  app.addContentTypeParser(
    "application/octet-stream",
    (request: FastifyRequest, payload: NodeJS.ReadableStream) => {
      const length = request.headers["content-length"];
      return receiveDump(payload, { contentLength: length, maxBytes: maxDumpBytes, tempDir });
    },
  );
  // once the handler is done with it, before the answer leaves: whatever the answer is
  const removeUpload = async (request: FastifyRequest) => {
    if (request.body instanceof DumpUpload) await request.body.remove();
  };
  app.addHook("onSend", async (request, _reply, payload) => {
    await removeUpload(request);
    return payload;
  });
  app.addHook("onRequestAbort", removeUpload);

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "crashlens fleet API",
        version: packageVersion,
        description:
          "Kernel crash reports from many machines, analysed by crashlens and grouped by cause.",
      },
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      },
      security: [{ bearer: [] }],
    },
  });

  const context: RouteContext = {
    store: options.store,
    version: packageVersion,
    maxBodyBytes,
    analyzer: analyzerOf(app, options),
  };
  for (const group of routeGroups) group(app as TypedApp, context);
  app.get("/api/openapi.json", { schema: { hide: true } }, () => app.swagger());

  await registerUi(app, options.uiDir ?? defaultUiDir);
  return app;
}
