/**
 * @module server/analyzer
 * crashlens' analysis behind the API: a submission's reports for the store, and the
 * `analyze --json` object for the paste box. `inProcessAnalyzer` runs on the thread that
 * calls it: the server's analysis workers call it (`analysis-worker.ts`), and so does a
 * server started with `analysis: "in-process"` (on its event loop).
 */
import { analyzeFile, analyzeText } from "../analyze.js";
import { reportsJson } from "../cli/render/json.js";
import { diagnose } from "../diagnose/index.js";
import {
  type DumpSubmission,
  reportsOfDump,
  reportsOfText,
  type Submission,
} from "../store/ingest.js";
import type { IngestedReport } from "../store/types.js";

export interface Analyzer {
  reportsOfText(submission: Submission): Promise<IngestedReport[]>;
  reportsOfDump(submission: DumpSubmission): Promise<IngestedReport[]>;
  /** exactly what `crashlens analyze --json -` prints for the text */
  analyzeTextJson(text: string): Promise<string>;
  /** exactly what `crashlens analyze --json NAME` prints for the dump at `path` */
  analyzeFileJson(path: string, name: string): Promise<string>;
}

export const inProcessAnalyzer: Analyzer = {
  reportsOfText,
  reportsOfDump,
  async analyzeTextJson(text) {
    const result = analyzeText(text);
    await diagnose(result);
    return reportsJson([{ input: "-", result }]);
  },
  async analyzeFileJson(path, name) {
    const result = await analyzeFile(path);
    await diagnose(result);
    return reportsJson([{ input: name, result }]);
  },
};
