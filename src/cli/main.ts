/**
 * @module cli/main
 * The `crashlens` command line: a thin layer over the library. Each sub-command lives in
 * its own file under `commands/` and is listed in `commands/index.ts`.
 * Exit codes: 0 when the input was read (whether or not a crash was found),
 * 2 for usage errors and unreadable inputs, 1 when nothing useful came out of a dump.
 */
import { Command, CommanderError } from "commander";
import { isCrashlensError } from "../errors.js";
import { commands } from "./commands/index.js";
import { EXIT_USAGE, UsageError } from "./exit.js";

async function main(argv: string[]): Promise<number> {
  const program = new Command("crashlens")
    .description("Diagnose Linux kernel crashes from logs, crash sessions and vmcores.")
    .version("0.1.0")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`crashlens: ${text.replace(/^error: /, "").trim()}\n`),
    });
  let exitCode = 0;
  for (const command of commands) {
    command.register(program, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    return reportError(error);
  }
  return exitCode;
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (or help); map its exits onto ours
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`crashlens: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (isCrashlensError(error)) {
    process.stderr.write(`crashlens: ${error.message}\n`);
    return error.code === "os" || error.code === "usage" ? EXIT_USAGE : 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`crashlens: internal error: ${message}\n`);
  return 1;
}

// Writes to a closed pipe (`crashlens ... | head`) are not errors worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const exitCode = await main(process.argv.slice(2));
// Once main() returns nothing of ours is pending, but Node would still wait at exit for V8's
// background compiles of the WASM decoder (~25 ms, a sixth of a short run): leave as soon as
// what was written to stdout is flushed.
process.stdout.write("", () => process.exit(exitCode));
