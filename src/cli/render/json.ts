/**
 * @module cli/render/json
 * The `--json` output: the public contract documented in README ("The JSON contract").
 */
import type { DumpFacts, ParseResult } from "../../analyze.js";
import type { Report } from "../../oops/report.js";

export interface InputResult {
  /** the path as given, or "-" for stdin */
  input: string;
  /** `dump` is present when the input was a vmcore */
  result: ParseResult & { dump?: DumpFacts };
}

export function reportsJson(inputs: readonly InputResult[]): string {
  const many = inputs.length > 1;
  const reports: Array<Report & { input?: string }> = [];
  for (const { input, result } of inputs) {
    for (const report of result.reports) reports.push(many ? { ...report, input } : report);
  }
  const summary = inputs.map(({ input, result }) => ({
    input,
    lines: result.lineCount,
    reports: result.reports.length,
    droppedReports: result.droppedReports,
    warnings: result.warnings,
    ...(result.dump ? { dump: result.dump } : {}),
  }));
  return `${JSON.stringify({ reports, inputs: summary }, null, 2)}\n`;
}
