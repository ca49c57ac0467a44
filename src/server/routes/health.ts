/**
 * @module server/routes/health
 * `GET /api/health`: the server is up, which store it uses, and how the caller was let in.
 */
import { ApiError } from "../errors.js";
import { errorResponses, Health } from "../schemas.js";
import type { RouteContext, TypedApp } from "./context.js";

export function healthRoutes(app: TypedApp, { store, version }: RouteContext): void {
  app.route({
    method: "GET",
    url: "/api/health",
    schema: {
      summary: "the server is up; the store and the caller's role",
      response: { 200: Health, ...errorResponses },
    },
    handler: async (request) => {
      const principal = request.principal;
      if (!principal) throw new ApiError(500, "internal", "no principal");
      return {
        ok: true as const,
        version,
        store: store.kind,
        auth: principal.auth,
        role: principal.role,
      };
    },
  });
}
