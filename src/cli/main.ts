/**
 * @module cli/main
 * The `crashlens` command line: a thin layer over the library. Each sub-command lives in
 * its own file under `commands/` and is listed in `commands/index.ts`. `runCli` takes its
 * streams as arguments, so tests run the command line in process; `bin.ts` wires it to the
 * process. Exit codes: 0 when the input was read (whether or not a crash was found),
 * 2 for usage errors and unreadable inputs, 1 when nothing useful came out of a dump.
 */
import { Command, CommanderError } from "commander";
import { isCrashlensError } from "../errors.js";
import { commands } from "./commands/index.js";
import { EXIT_USAGE, UsageError } from "./exit.js";
import type { CliIo } from "./io.js";

/** Runs one command line; resolves to its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command("crashlens")
    .description("Diagnose Linux kernel crashes from logs, crash sessions and vmcores.")
    .version("0.1.0")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`crashlens: ${text.replace(/^error: /, "").trim()}\n`),
    });
  let exitCode = 0;
  const context = {
    io,
    setExitCode: (code: number) => {
      exitCode = code;
    },
  };
  for (const command of commands) command.register(program, context);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    return reportError(error, io);
  }
  return exitCode;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (or help); map its exits onto ours
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`crashlens: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (isCrashlensError(error)) {
    io.stderr.write(`crashlens: ${error.message}\n`);
    return error.code === "os" || error.code === "usage" ? EXIT_USAGE : 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`crashlens: internal error: ${message}\n`);
  return 1;
}
