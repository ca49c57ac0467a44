/**
 * @module errors
 * One error type for the whole library, with a closed set of codes and a payload per code,
 * so callers can react to what was missing rather than parse messages.
 * Lookups that can miss return `undefined`; only bad input and I/O failures throw.
 */

export type ErrorCode =
  | "bad-data" // the input is not what its format says it is
  | "truncated" // the input ends before a structure it announces
  | "fault" // an address could not be read from the dump
  | "not-found" // a symbol, note or file the operation needs is absent
  | "unsupported" // a valid input this version cannot handle
  | "limit" // a size taken from the input exceeds a named bound
  | "os" // the operating system refused (open, read, ...)
  | "usage"; // the caller asked for something impossible

export interface ErrorDetails {
  /** the file being read, for `os` and format errors */
  path?: string;
  /** the address that could not be read, for `fault` */
  address?: bigint;
  /** which address space `address` is in */
  space?: "physical" | "virtual";
  /** the bytes exist but the dump does not hold them (filtered, truncated), as opposed to an
   * address nothing maps */
  absent?: boolean;
  /** the page exists in RAM but the dump tool left it out (makedumpfile's dump level:
   * zero, cache, user or free pages); its contents are unknown, not zero */
  filtered?: boolean;
  /** the field, its value and the bound, for `limit` */
  field?: string;
  value?: number | bigint;
  max?: number | bigint;
  /** the underlying error */
  cause?: unknown;
}

export class CrashlensError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "CrashlensError";
    this.code = code;
    this.details = details;
  }
}

/** Throws a `limit` error when a size read from the input exceeds its bound. */
export function checkBound(value: number | bigint, max: number | bigint, field: string): void {
  if (value > max) {
    throw new CrashlensError("limit", `${field} is ${value}, more than the limit of ${max}`, {
      field,
      value,
      max,
    });
  }
}

export function isCrashlensError(error: unknown): error is CrashlensError {
  return error instanceof CrashlensError;
}
