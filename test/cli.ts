/**
 * @module test/cli
 * Runs a `crashlens` command line in this process (runCli with in-memory streams), as fast as
 * a function call; the few end-to-end tests that check the built binary spawn it instead.
 */
import { PassThrough, Readable } from "node:stream";
import type { CliIo } from "../src/cli/io.js";
import { runCli } from "../src/cli/main.js";

export interface CliRun {
  code: number;
  /** decoded as `encoding` (latin1 keeps a kernel log byte for byte) */
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  encoding?: BufferEncoding;
  /** stdout is a terminal this many columns wide (colour unless env.NO_COLOR) */
  columns?: number;
}

export async function cli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const chunks: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
  stdout.on("data", (b: Buffer) => chunks.out.push(b));
  stderr.on("data", (b: Buffer) => chunks.err.push(b));
  if (options.columns !== undefined)
    Object.assign(stdout, { isTTY: true, columns: options.columns });
  const io: CliIo = {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout,
    stderr,
    env: options.env ?? {},
  };
  const code = await runCli(args, io);
  return {
    code,
    stdout: Buffer.concat(chunks.out).toString(options.encoding ?? "utf8"),
    stderr: Buffer.concat(chunks.err).toString("utf8"),
  };
}
