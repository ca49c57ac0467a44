/**
 * @module server/routes/clusters
 * The clusters: the filtered list, one cluster's page, its reports, and its triage status.
 */
import type { Cluster } from "../../store/types.js";
import { ApiError } from "../errors.js";
import {
  ClusterList,
  ClusterPatch,
  ClusterQuery,
  Cluster as ClusterSchema,
  errorResponses,
  IdParams,
  PageQuery,
  ReportList,
} from "../schemas.js";
import type { RouteContext, TypedApp } from "./context.js";

async function clusterOr404({ store }: RouteContext, id: number): Promise<Cluster> {
  const cluster = await store.getCluster(id);
  if (!cluster) throw new ApiError(404, "not-found", `no cluster ${id}`);
  return cluster;
}

export function clusterRoutes(app: TypedApp, context: RouteContext): void {
  const { store } = context;
  app.route({
    method: "GET",
    url: "/api/clusters",
    schema: {
      summary: "clusters, filtered, searched (q) and sorted",
      querystring: ClusterQuery,
      response: { 200: ClusterList, ...errorResponses },
    },
    handler: (request) => {
      const { q, ...filter } = request.query;
      return store.listClusters(q === undefined ? filter : { ...filter, text: q });
    },
  });
  app.route({
    method: "GET",
    url: "/api/clusters/:id",
    schema: {
      summary: "one cluster: counts over time, hosts, releases, known bugs, status",
      params: IdParams,
      response: { 200: ClusterSchema, ...errorResponses },
    },
    handler: (request) => clusterOr404(context, request.params.id),
  });
  app.route({
    method: "PATCH",
    url: "/api/clusters/:id",
    schema: {
      summary: "set a cluster's status (new, triaged, fixed-in, ignored) and note",
      params: IdParams,
      body: ClusterPatch,
      response: { 200: ClusterSchema, ...errorResponses },
    },
    handler: async (request) => {
      const { id } = request.params;
      const current = await clusterOr404(context, id);
      const { status, note, fixedIn } = request.body;
      if (fixedIn !== undefined && status !== "fixed-in")
        throw new ApiError(
          400,
          "bad-request",
          `fixedIn goes with the status fixed-in, not ${JSON.stringify(status)}`,
        );
      // what the request leaves out stays as it was
      const version =
        fixedIn ?? (status === "fixed-in" ? (current.fixedIn ?? undefined) : undefined);
      await store.setClusterStatus(id, status, note ?? current.note, version);
      return clusterOr404(context, id);
    },
  });
  app.route({
    method: "GET",
    url: "/api/clusters/:id/reports",
    schema: {
      summary: "a cluster's reports, newest first",
      params: IdParams,
      querystring: PageQuery,
      response: { 200: ReportList, ...errorResponses },
    },
    handler: async (request) => {
      const { id } = request.params;
      await clusterOr404(context, id);
      return store.listReports({ ...request.query, cluster: id });
    },
  });
}
