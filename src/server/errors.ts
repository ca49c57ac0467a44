/**
 * @module server/errors
 * Every failure leaves the server in the contract's shape, `{ error: { code, message } }`:
 * the library's `CrashlensError` codes, fastify's own errors (validation, body limits,
 * media types) and the rate limiter's, each mapped to a status in one table.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, isCrashlensError } from "../errors.js";

/** An error the API answers with as is: its status, code and message are the response. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** headers the answer carries, e.g. a 503's Retry-After */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The library's error codes as HTTP statuses. */
const crashlensStatus: Record<ErrorCode, number> = {
  "bad-data": 400,
  truncated: 400,
  fault: 400,
  "not-found": 404,
  unsupported: 400,
  limit: 413,
  os: 500,
  usage: 400,
};

/** Fields whose limit makes a bad request, not a too-large body (the store's names). */
const fieldLimits = new Set(["host name", "labels"]);

/** Fastify's own error codes, with the status and the code the contract gives them. */
const fastifyCodes: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "too-large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "unsupported-media-type" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "bad-request" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "bad-request" },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "bad-request" },
  FST_ERR_VALIDATION: { status: 400, code: "bad-request" },
};

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/** A 500 says nothing of its cause (paths, SQL, a stack): the server's log has it. */
const INTERNAL: ErrorAnswer = {
  status: 500,
  code: "internal",
  message: "internal error (the server's log has the details)",
};

/** What an error becomes on the wire; `limits` names the limits a 413 message states. */
export function answerOf(
  error: unknown,
  limits: { maxBodyBytes: number; maxDumpBytes: number },
  dump: boolean,
  contentType = "",
): ErrorAnswer {
  const answer = describedAnswerOf(error, limits, dump, contentType);
  return answer.status === 500 ? INTERNAL : answer;
}

function describedAnswerOf(
  error: unknown,
  limits: { maxBodyBytes: number; maxDumpBytes: number },
  dump: boolean,
  contentType = "",
): ErrorAnswer {
  if (error instanceof ApiError)
    return {
      status: error.statusCode,
      code: error.code,
      message: error.message,
      headers: error.headers,
    };
  if (isCrashlensError(error)) {
    const field = error.details.field;
    const status =
      error.code === "limit" && field !== undefined && fieldLimits.has(field)
        ? 400
        : crashlensStatus[error.code];
    return { status, code: error.code, message: error.message };
  }
  const fastify = error as FastifyError;
  const known = fastify.code === undefined ? undefined : fastifyCodes[fastify.code];
  if (known?.status === 413) {
    const max = dump ? limits.maxDumpBytes : limits.maxBodyBytes;
    return { ...known, message: tooLargeMessage(dump ? "dump" : "body", max) };
  }
  if (known?.status === 415)
    return {
      ...known,
      message: `unsupported media type ${JSON.stringify(contentType)}: send text/plain, application/json { text } or application/octet-stream (a dump)`,
    };
  if (known) return { status: known.status, code: known.code, message: fastify.message };
  if (fastify.statusCode === 429)
    return { status: 429, code: "rate-limit", message: fastify.message };
  // other client errors fastify raises (bad URL encoding, ...) keep their status
  if (
    typeof fastify.statusCode === "number" &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  )
    return { status: fastify.statusCode, code: "bad-request", message: fastify.message };
  return INTERNAL;
}

export function tooLargeMessage(what: "body" | "dump", max: number): string {
  return what === "body"
    ? `the request body is larger than the limit of ${max} bytes (--max-body)`
    : `the dump is larger than the limit of ${max} bytes (--max-dump)`;
}

export function sendError(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  if (answer.headers) reply.headers(answer.headers);
  return reply
    .code(answer.status)
    .type("application/json; charset=utf-8")
    .send({ error: { code: answer.code, message: answer.message } });
}

/** fastify's error handler: the contract's shape, internal errors logged and not described */
export function errorHandler(limits: { maxBodyBytes: number; maxDumpBytes: number }) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const contentType = String(request.headers["content-type"] ?? "");
    const dump = contentType.startsWith("application/octet-stream");
    const answer = answerOf(error, limits, dump, contentType);
    if (answer.status >= 500) request.log.error({ err: error }, "request failed");
    return sendError(reply, answer);
  };
}
