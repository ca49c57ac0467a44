/**
 * @module server/static
 * The web UI: the built files of `uiDir` (dist/ui), and `index.html` for every other GET
 * outside `/api/` so deep links (`/clusters/12`) reach the client-side router. Unknown
 * `/api/` paths stay JSON 404s. Without a built UI, a short page says how to build it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { sendError } from "./errors.js";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crashlens</title></head>
<body><h1>crashlens</h1>
<p>The web UI was not built. Run <code>npm run build</code> in the crashlens checkout
(it writes <code>dist/ui</code>); the API answers under <a href="/api/openapi.json">/api/</a>.</p>
</body></html>
`;

export async function registerUi(app: FastifyInstance, uiDir: string): Promise<void> {
  const built = existsSync(join(uiDir, "index.html"));
  if (built) await app.register(fastifyStatic, { root: uiDir, prefix: "/", index: "index.html" });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const page = request.method === "GET" || request.method === "HEAD";
    if (path === "/api" || path.startsWith("/api/") || !page)
      return sendError(reply, {
        status: 404,
        code: "not-found",
        message: `no such API route: ${request.method} ${path}`,
      });
    if (!built) return reply.type("text/html; charset=utf-8").send(NOT_BUILT);
    return reply.type("text/html; charset=utf-8").sendFile("index.html");
  });
}
