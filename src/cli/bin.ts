/**
 * @module cli/bin
 * The `crashlens` process: runs the command line on the process's own streams and exits.
 */
import { processIo } from "./io.js";
import { runCli } from "./main.js";

// Writes to a closed pipe (`crashlens ... | head`) are not errors worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const exitCode = await runCli(process.argv.slice(2), processIo());
// Once runCli() returns nothing of ours is pending, but Node would still wait at exit for
// V8's background compiles of the WASM decoder (~25 ms, a sixth of a short run): leave as
// soon as what was written to stdout is flushed.
process.stdout.write("", () => process.exit(exitCode));
