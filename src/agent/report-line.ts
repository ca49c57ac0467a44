/**
 * @module agent/report-line
 * The one line an agent prints per file, and the closing summary. Titles come from the server
 * and file names from the disk: both go through the same escaping as log text, so a title
 * holding `ESC [2J` or U+202E is shown, not obeyed.
 */
import { escapeControls } from "../cli/render/safe.js";
import type { SubmitResult, SubmittedReport } from "./client.js";

function describeReport(r: SubmittedReport): string {
  const state = r.duplicate ? "duplicate" : "new";
  return `report ${r.id} (cluster ${r.cluster}, ${state}): ${escapeControls(r.title)}`;
}

/** `PATH: report 12 (cluster 3, new): TITLE`, several reports joined by ` | `. */
export function resultLine(path: string, result: SubmitResult, note = ""): string {
  const what =
    result.reports.length === 0
      ? escapeControls(result.message ?? "no crash report found in the input")
      : result.reports.map(describeReport).join(" | ");
  return `${escapeControls(path)}${note}: ${what}`;
}

export function failureLine(path: string, message: string): string {
  return `${escapeControls(path)}: failed: ${escapeControls(message)}`;
}

/** Counts over a run, for the summary line. */
export class Tally {
  files = 0;
  failed = 0;
  noReport = 0;
  reports = 0;
  duplicates = 0;

  add(result: SubmitResult): void {
    this.files++;
    if (result.reports.length === 0) this.noReport++;
    this.reports += result.reports.length;
    this.duplicates += result.reports.filter((r) => r.duplicate).length;
  }

  fail(): void {
    this.files++;
    this.failed++;
  }

  summary(): string {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const fresh = this.reports - this.duplicates;
    return (
      `${plural(this.files, "file")}: ${plural(this.reports, "report")} ` +
      `(${fresh} new, ${this.duplicates} duplicate), ` +
      `${this.noReport} without a crash report, ${this.failed} failed`
    );
  }
}
