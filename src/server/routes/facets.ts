/**
 * @module server/routes/facets
 * `GET /api/facets`: the values the cluster filters can take.
 */
import { errorResponses, Facets } from "../schemas.js";
import type { RouteContext, TypedApp } from "./context.js";

export function facetRoutes(app: TypedApp, { store }: RouteContext): void {
  app.route({
    method: "GET",
    url: "/api/facets",
    schema: {
      summary: "the distinct kinds, modules, releases and hosts",
      response: { 200: Facets, ...errorResponses },
    },
    handler: () => store.facets(),
  });
}
