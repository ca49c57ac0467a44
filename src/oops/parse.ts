/**
 * @module oops/parse
 * The text pipeline: raw lines → clean kernel lines → crash-session facts and report
 * segments → Reports, with repeated copies of one report folded together and session facts
 * attached to the report they describe. Works line by line on input of any size.
 */

import type { KernelLine } from "../text/kernel-line.js";
import { linesOfString, type RawLine } from "../text/line-source.js";
import { LineNormalizer, MAX_PARSED_CHARS } from "../text/normalize.js";
import { buildReport } from "./build-report.js";
import { attachSessions } from "./crash-session/attach.js";
import { SessionReader } from "./crash-session/reader.js";
import { isContextLine } from "./parse-context.js";
import type { Report } from "./report.js";
import { type Segment, Segmenter } from "./segment.js";

/** Later copies of one report listed by their span; past this they are only counted. */
export const MAX_REPEATS_LISTED = 100;
/** Reports kept from one input; past this only a count is kept. */
export const MAX_REPORTS = 10_000;

export interface ParseResult {
  reports: Report[];
  /** lines read from the input */
  lineCount: number;
  /** reports dropped past MAX_REPORTS */
  droppedReports: number;
  /** the text of each line inside a report or session, by line number, for quoting evidence */
  lines: ReadonlyMap<number, string>;
  warnings: string[];
}

function fingerprint(report: Report): string {
  return JSON.stringify([
    report.header.text,
    report.timestamp,
    report.registers,
    report.ip?.symbol,
    report.ip?.offset,
    report.trace.map((f) => [f.symbol, f.offset]),
  ]);
}

export class ReportParser {
  private readonly normalizer = new LineNormalizer();
  private readonly sessions = new SessionReader();
  private readonly segmenter = new Segmenter((segment) => this.onSegment(segment));
  private readonly reports: Report[] = [];
  private readonly byFingerprint = new Map<string, Report>();
  private readonly byHeader = new Map<string, Report>();
  private readonly lineTexts = new Map<number, string>();
  private readonly warnings: string[] = [];
  private lineCount = 0;
  private dropped = 0;
  private cutLines = 0;

  push(raw: RawLine): void {
    this.lineCount = raw.no;
    this.normalizer.push(raw, (line) => this.onLine(line));
  }

  /**
   * Nothing is half read: no report, session command or journal entry is open. A line that
   * matches none of the loud shapes (oops/loud-lines.ts) then leaves the parser at rest.
   */
  atRest(): boolean {
    return this.normalizer.atRest && this.sessions.atRest && this.segmenter.atRest;
  }

  /** The input had `count` lines in all (the last ones were skipped as quiet). */
  setLineCount(count: number): void {
    this.lineCount = count;
  }

  finish(): ParseResult {
    this.normalizer.finish((line) => this.onLine(line));
    this.segmenter.finish();
    const sessions = this.sessions.finish();
    for (const session of sessions) {
      for (let no = session.lines.start; no <= session.lines.end; no++) {
        const text = this.sessions.lineText(no);
        if (text !== undefined) this.lineTexts.set(no, text);
      }
    }
    const reports = attachSessions(this.reports, sessions);
    reports.sort((a, b) => a.lines.start - b.lines.start);
    if (this.cutLines > 0) {
      this.warnings.push(
        `${this.cutLines} over-long line(s) were read on their first ${MAX_PARSED_CHARS} characters`,
      );
    }
    return {
      reports,
      lineCount: this.lineCount,
      droppedReports: this.dropped,
      lines: this.lineTexts,
      warnings: this.warnings,
    };
  }

  private onLine(line: KernelLine): void {
    if (line.cut) this.cutLines++;
    if (isContextLine(line.text)) this.lineTexts.set(line.no, line.raw);
    if (this.sessions.push(line)) return;
    this.segmenter.push(line);
  }

  private onSegment(segment: Segment): void {
    const report = buildReport(segment);
    const key = fingerprint(report);
    // a report that is only its headline, the headline of an earlier one, tells that event
    // again (arm's second imprecise abort as the faulting task exits)
    const bare =
      report.trace.length === 0 && !report.ip && Object.keys(report.registers).length === 0;
    const first =
      this.byFingerprint.get(key) ?? (bare ? this.byHeader.get(report.header.text) : undefined);
    if (first) {
      // one entry per copy, but a flood of identical reports is counted, not listed
      first.repeatCount = (first.repeatCount ?? 0) + 1;
      first.repeats ??= [];
      if (first.repeats.length < MAX_REPEATS_LISTED) first.repeats.push(report.lines);
      return;
    }
    if (this.reports.length >= MAX_REPORTS) {
      this.dropped++;
      return;
    }
    this.byFingerprint.set(key, report);
    if (!this.byHeader.has(report.header.text)) this.byHeader.set(report.header.text, report);
    this.reports.push(report);
    for (const line of segment.lines.slice(0, segment.fieldEnd)) {
      if (line.no >= report.lines.start && line.no <= report.lines.end) {
        this.lineTexts.set(line.no, line.raw);
      }
    }
  }
}

/** Parses a whole input given as lines (async or not). */
export async function parseLines(
  lines: AsyncIterable<RawLine> | Iterable<RawLine>,
): Promise<ParseResult> {
  const parser = new ReportParser();
  for await (const line of lines) parser.push(line);
  return parser.finish();
}

/** Parses text already in memory. */
export function parseText(text: string): ParseResult {
  const parser = new ReportParser();
  for (const line of linesOfString(text)) parser.push(line);
  return parser.finish();
}
