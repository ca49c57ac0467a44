/**
 * @module server/routes/reports
 * `POST /api/reports` (ingest: analysed, clustered, committed before the answer),
 * `GET /api/reports` and `GET /api/reports/:id`.
 */
import type { IngestedReport } from "../../store/types.js";
import { ApiError } from "../errors.js";
import {
  errorResponses,
  IdParams,
  IngestQuery,
  IngestResponse,
  ReportList,
  ReportQuery,
  StoredReport,
} from "../schemas.js";
import { type Received, receivedOf, requireHost, submissionBody } from "../submission.js";
import type { RouteContext, TypedApp } from "./context.js";

const NOTHING_FOUND = "no crash report found in the input";

function analyse(received: Received, host: string, { analyzer }: RouteContext) {
  return received.kind === "text"
    ? analyzer.reportsOfText({ text: received.text, host, labels: received.labels })
    : analyzer.reportsOfDump({
        path: received.upload.path,
        name: received.name,
        host,
        labels: received.labels,
      });
}

async function store(reports: IngestedReport[], context: RouteContext): Promise<IngestResponse> {
  if (reports.length === 0) return { found: 0, reports: [], message: NOTHING_FOUND };
  const out: IngestResponse["reports"] = [];
  for (const report of reports) {
    const result = await context.store.ingest(report);
    out.push({ ...result, title: report.report.title, kind: report.report.kind });
  }
  return { found: reports.length, reports: out };
}

export function reportRoutes(app: TypedApp, context: RouteContext): void {
  app.route({
    method: "POST",
    url: "/api/reports",
    bodyLimit: context.maxBodyBytes,
    schema: {
      summary: "submit a log, a ticket or a dump; every crash report in it is stored",
      querystring: IngestQuery,
      body: submissionBody,
      response: { 200: IngestResponse, ...errorResponses },
    },
    handler: async (request) => {
      const received = receivedOf(request);
      const host = requireHost(received);
      return store(await analyse(received, host, context), context);
    },
  });
  app.route({
    method: "GET",
    url: "/api/reports",
    schema: {
      summary: "reports, newest first",
      querystring: ReportQuery,
      response: { 200: ReportList, ...errorResponses },
    },
    handler: (request) => context.store.listReports(request.query),
  });
  app.route({
    method: "GET",
    url: "/api/reports/:id",
    schema: {
      summary: "one report: the submitted text, the analysis, where it came from",
      params: IdParams,
      response: { 200: StoredReport, ...errorResponses },
    },
    handler: async (request) => {
      const report = await context.store.getReport(request.params.id);
      if (!report) throw new ApiError(404, "not-found", `no report ${request.params.id}`);
      return report;
    },
  });
}
