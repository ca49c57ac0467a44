/**
 * @module cli/commands
 * The sub-commands, in the order `crashlens --help` lists them. Each file registers itself
 * on the commander program; its context gives the streams and `setExitCode`, which reports
 * a non-zero exit without throwing.
 */
import type { Command } from "commander";
import type { CliContext } from "../io.js";
import { analyzeCommand } from "./analyze.js";
import { dmesgCommand } from "./dmesg.js";
import { extractCommand } from "./extract.js";
import { infoCommand } from "./info.js";
import { kbCommand } from "./kb.js";
import { reclusterCommand } from "./recluster.js";
import { serveCommand } from "./serve.js";
import { shellCommand } from "./shell.js";
import { submitCommand } from "./submit.js";
import { tokenCommand } from "./token.js";
import { watchCommand } from "./watch.js";

export interface CliCommand {
  register(program: Command, context: CliContext): void;
}

export const commands: readonly CliCommand[] = [
  analyzeCommand,
  dmesgCommand,
  infoCommand,
  extractCommand,
  shellCommand,
  kbCommand,
  submitCommand,
  watchCommand,
  serveCommand,
  tokenCommand,
  reclusterCommand,
];
