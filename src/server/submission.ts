/**
 * @module server/submission
 * What a POST to `/api/reports` or `/api/analyze` carries, whatever its media type: the text
 * (`text/plain`, or `application/json` `{ text, host?, labels? }`) or the uploaded dump
 * (`application/octet-stream`), with the host and labels from the query, the JSON body or
 * the `X-Crashlens-Host` header.
 */
import type { FastifyRequest } from "fastify";
import { parseLabels } from "../agent/labels.js";
import { ApiError } from "./errors.js";
import type { IngestQuery, JsonSubmission } from "./schemas.js";
import { DumpUpload } from "./upload.js";

export type Received =
  | { kind: "text"; text: string; host?: string; labels: Record<string, string> }
  | {
      kind: "dump";
      upload: DumpUpload;
      name: string;
      host?: string;
      labels: Record<string, string>;
    };

/** The body schemas per media type; a dump (application/octet-stream) is checked by its
 * parser, since no JSON schema describes bytes. */
export const submissionBody = {
  content: {
    "text/plain": { schema: { type: "string" } },
    "application/json": {
      schema: {
        type: "object",
        required: ["text"],
        properties: {
          text: { type: "string" },
          host: { type: "string" },
          labels: { type: "object", additionalProperties: { type: "string" } },
        },
      },
    },
  },
};

/** `?label=k=v`, repeatable, parsed as the agent's `--label` is (`__proto__` a key like any). */
function labelsOf(query: IngestQuery): Record<string, string> {
  const given = query.label === undefined ? [] : [query.label].flat();
  try {
    return parseLabels(given);
  } catch (error) {
    throw new ApiError(400, "bad-request", (error as Error).message);
  }
}

function headerHost(request: FastifyRequest): string | undefined {
  const value = request.headers["x-crashlens-host"];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function receivedOf(request: FastifyRequest): Received {
  const query = request.query as IngestQuery;
  const body: unknown = request.body;
  const labels = labelsOf(query);
  const host = query.host || headerHost(request);
  if (body instanceof DumpUpload)
    return { kind: "dump", upload: body, name: query.name || "dump", host, labels };
  if (typeof body === "string") return { kind: "text", text: body, host, labels };
  if (body !== null && typeof body === "object") {
    const json = body as JsonSubmission;
    return {
      kind: "text",
      text: json.text,
      host: query.host || json.host || headerHost(request),
      labels: { ...json.labels, ...labels },
    };
  }
  throw new ApiError(
    415,
    "unsupported-media-type",
    "send the input as text/plain, application/json { text } or application/octet-stream (a dump)",
  );
}

/** The host a stored report needs; a 400 when the request named none. */
export function requireHost(received: Received): string {
  if (received.host === undefined || received.host === "")
    throw new ApiError(
      400,
      "bad-request",
      "name the machine the crash comes from: ?host=, the JSON host or X-Crashlens-Host",
    );
  return received.host;
}
