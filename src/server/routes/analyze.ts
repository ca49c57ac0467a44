/**
 * @module server/routes/analyze
 * `POST /api/analyze`: the paste box. The same bodies as ingest, nothing stored; the answer
 * is the object `crashlens analyze --json` prints for that input, byte for byte.
 */
import { AnalyzeResponse, errorResponses, IngestQuery } from "../schemas.js";
import { receivedOf, submissionBody } from "../submission.js";
import type { RouteContext, TypedApp } from "./context.js";

export function analyzeRoutes(app: TypedApp, { analyzer, maxBodyBytes }: RouteContext): void {
  app.route({
    method: "POST",
    url: "/api/analyze",
    bodyLimit: maxBodyBytes,
    schema: {
      summary: "analyse an input without storing it (crashlens analyze --json)",
      querystring: IngestQuery,
      body: submissionBody,
      response: { 200: AnalyzeResponse, ...errorResponses },
    },
    handler: async (request, reply) => {
      const received = receivedOf(request);
      const json =
        received.kind === "text"
          ? await analyzer.analyzeTextJson(received.text)
          : await analyzer.analyzeFileJson(received.upload.path, received.name);
      // already serialised: sent as the CLI prints it
      return reply.type("application/json; charset=utf-8").send(json as never);
    },
  });
}
