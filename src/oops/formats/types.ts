/**
 * @module oops/formats/types
 * The shape of the crash-format table, after syzkaller's `oopsFormat`: a header string that
 * finds candidate lines, and per header an ordered list of formats that turn the report
 * text into a title. Catch-all rows come last in each group.
 */
import type { Kind } from "../report.js";

/** Marks the place in a stack spec where a whole stack listing is read. */
export const TRACE = "trace" as const;
export type StackPart = RegExp | typeof TRACE;

export interface StackSpec {
  /** matched in order from the header on; capture groups and TRACE yield frames */
  parts: StackPart[];
  /** tried when `parts` fails to find frames */
  fallback?: StackPart[];
  /** extra frames to skip for this format (substring patterns, like the shared list) */
  skip?: string[];
  /** picks the frame that names the bug from all frames found; default: the first */
  extractor?: "stall" | "hung-task";
}

export interface OopsFormat {
  /** the crash class this format reports */
  kind: Kind;
  /** finds the report's title line in the report text (from the header line on) */
  title: RegExp;
  /** must match as well when given; its captures replace the title's */
  report?: RegExp;
  /** title template: {1}, {2}… are captures, then one argument per extracted frame */
  template: string;
  /** alternative titles for de-duplication, same placeholders */
  alt?: string[];
  stack?: StackSpec;
  /** the format has no stack listing, so its absence does not mark the report corrupted */
  noStackTrace?: boolean;
  /** a catch-all: matching it means the report is damaged */
  corrupted?: boolean;
}

export interface OopsGroup {
  /** a line holding this text may open a report */
  header: string;
  formats: OopsFormat[];
  /** lines holding the header but matching one of these do not open a report */
  suppress?: RegExp[];
}
