/**
 * @module cli/commands/dump-open
 * Opening a dump and its kernel for the dump commands (`dmesg`, `info`, `extract`), with one
 * line on stderr and exit code 2 when the file is unreadable or not a dump.
 */
import { openDumps } from "../../dump/index.js";
import { progressBar } from "../../dump/progress.js";
import type { Dump } from "../../dump/types.js";
import { isCrashlensError } from "../../errors.js";
import { type KernelOptions, type KernelView, openKernel } from "../../kernel/index.js";
import { EXIT_USAGE } from "../exit.js";
import type { CliIo } from "../io.js";

/** A one-line warning on the command's stderr. */
export function warner(io: CliIo): (message: string) => void {
  return (message) => io.stderr.write(`crashlens: warning: ${message}\n`);
}

/** The dump and kernel, or undefined after printing why (the exit code is then set to 2). */
export async function openForCli(
  io: CliIo,
  paths: string | readonly string[],
  setExitCode: (code: number) => void,
  beforeKernel?: (dump: Dump) => void,
  kernelOptions: KernelOptions = {},
): Promise<{ dump: Dump; kernel: KernelView } | undefined> {
  const warn = warner(io);
  const bar = progressBar("indexing dump", io.stderr);
  let dump: Dump;
  try {
    dump = await openDumps(typeof paths === "string" ? [paths] : paths, { onProgress: bar.update });
  } catch (error) {
    bar.finish();
    if (!isCrashlensError(error)) throw error;
    io.stderr.write(`crashlens: ${error.message}\n`);
    setExitCode(EXIT_USAGE);
    return undefined;
  }
  bar.finish();
  for (const w of dump.warnings) warn(w);
  beforeKernel?.(dump);
  const scan = progressBar("looking for VMCOREINFO in memory", io.stderr);
  const kernel = await openKernel(dump, { ...kernelOptions, onProgress: scan.update });
  scan.finish();
  for (const w of kernel.warnings) warn(w);
  return { dump, kernel };
}
