/**
 * @module cli/io
 * The streams a command reads and writes. The `crashlens` binary passes the process's own;
 * tests pass in-memory streams and run the command line in process, without spawning Node.
 */
import type { Readable, Writable } from "node:stream";

export interface CliIo {
  stdin: Readable;
  /** `isTTY` and `columns` decide colour and the width of quoted log lines */
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** What a command is given: its streams and a way to report a non-zero exit without throwing. */
export interface CliContext {
  io: CliIo;
  setExitCode(code: number): void;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Writes and resolves once the bytes are handed to the stream (so large output is not cut). */
export function writeOut(stream: Writable, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.write(data, (error) => (error ? reject(error) : resolve())),
  );
}
