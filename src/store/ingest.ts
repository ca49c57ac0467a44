/**
 * @module store/ingest
 * From a submitted input to what the store keeps: crashlens' own analysis (parse, diagnose,
 * known bugs), one `IngestedReport` per crash report the input holds.
 */
import { analyzeText } from "../analyze.js";
import { diagnose } from "../diagnose/index.js";
import type { IngestedReport } from "./types.js";

export interface Submission {
  text: string;
  host: string;
  labels?: Record<string, string>;
  receivedAt?: string;
}

/** Every crash report of a text input, analysed, ready for `Store.ingest` (none: no crash). */
export async function reportsOfText(submission: Submission): Promise<IngestedReport[]> {
  const reports = await diagnose(analyzeText(submission.text));
  return reports.map((report) => ({
    source: { kind: "text", text: submission.text },
    host: submission.host,
    labels: submission.labels ?? {},
    ...(submission.receivedAt ? { receivedAt: submission.receivedAt } : {}),
    report,
  }));
}
