/**
 * @module store/ingest
 * From a submitted input to what the store keeps: crashlens' own analysis (parse, diagnose,
 * known bugs), one `IngestedReport` per crash report the input holds.
 */
import { open } from "node:fs/promises";
import { analyzeText } from "../analyze.js";
import { type DiagnosedReport, diagnose } from "../diagnose/index.js";
import { CrashlensError } from "../errors.js";
import type { IngestedReport } from "./types.js";

export interface Submission {
  text: string;
  host: string;
  labels?: Record<string, string>;
  receivedAt?: string;
}

/** Every crash report of a text input, analysed, ready for `Store.ingest` (none: no crash). */
export async function reportsOfText(submission: Submission): Promise<IngestedReport[]> {
  return textReports(submission, await diagnose(analyzeText(submission.text)));
}

/** The reports diagnosed from a text submission (here or on another thread), ready to store. */
export function textReports(
  submission: Submission,
  reports: readonly DiagnosedReport[],
): IngestedReport[] {
  return reports.map((report) => ({
    source: { kind: "text", text: submission.text },
    host: submission.host,
    labels: submission.labels ?? {},
    ...(submission.receivedAt ? { receivedAt: submission.receivedAt } : {}),
    report,
  }));
}

export interface DumpSubmission {
  /** the dump on disk (a temporary file for an upload) */
  path: string;
  /** what the submitter called it */
  name: string;
  host: string;
  labels?: Record<string, string>;
  receivedAt?: string;
}

/**
 * Every crash report of a dump's kernel log, analysed as `crashlens analyze VMCORE` does; the
 * source keeps the dump's facts and the log text the reports' line numbers refer to (the
 * dump itself is not kept). Throws `unsupported` when the file is not a dump.
 */
export async function reportsOfDump(submission: DumpSubmission): Promise<IngestedReport[]> {
  await checkIsDump(submission.path, submission.name);
  const { analyzeDump } = await import("../analyze-dump.js");
  const result = await analyzeDump([submission.path]);
  const log = await dumpLogText(submission.path);
  const reports = await diagnose(result);
  return reports.map((report) => ({
    source: { kind: "dump", name: submission.name, facts: result.dump, log },
    host: submission.host,
    labels: submission.labels ?? {},
    ...(submission.receivedAt ? { receivedAt: submission.receivedAt } : {}),
    report,
  }));
}

async function checkIsDump(path: string, name: string): Promise<void> {
  const { DETECT_HEAD_BYTES, detectDump } = await import("../dump/detect.js");
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(DETECT_HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (detectDump(head.subarray(0, bytesRead)) === undefined)
      throw new CrashlensError(
        "unsupported",
        `${name} is not a kdump-compressed, flattened or ELF dump (send logs as text)`,
      );
  } finally {
    await handle.close();
  }
}

/** The kernel log as `analyzeDump` parsed it (the same records, the same formatting). */
async function dumpLogText(path: string): Promise<string> {
  const { openDumps } = await import("../dump/index.js");
  const { formatLog, openKernel } = await import("../kernel/index.js");
  const dump = await openDumps([path]);
  try {
    const kernel = await openKernel(dump);
    const log = await kernel.readLog();
    return formatLog(log.records, "makedumpfile");
  } finally {
    await dump.close();
  }
}
