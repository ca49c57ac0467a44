/**
 * @module shell
 * The crash-compatible shell over a dump: a session that runs crash command lines, the
 * command table, the interactive prompt, and the pieces commands share.
 */

export { parseArgs, splitWords } from "./args.js";
export { startupBanner } from "./banner.js";
// Shared helpers
export { checkpoint } from "./cancel.js";
// The command table and what a command is given
export {
  type CommandContext,
  type OptionSpec,
  type ParsedArgs,
  QuitRequest,
  type ShellCommand,
  ShellCommandError,
  type ShellFiles,
  type ShellOutput,
  ShellUsageError,
} from "./command.js";
export { commands } from "./commands/index.js";
export { btfTypeCompleter, type TypeCompleter } from "./completer.js";
export { evaluate, parseNumber } from "./expression.js";
export { faultMessage, readMemory } from "./memory.js";
export { type ReplOptions, runRepl } from "./repl.js";
// Running lines
export { type LineIo, type RunResult, ShellSession, type ShellSessionOptions } from "./session.js";
export { type ShellSymbol, type SymbolHit, SymbolIndex } from "./symbol-index.js";
export {
  defaultSysFacts,
  findPanicMessage,
  kallsymsSysFacts,
  type SysFact,
  type SysFacts,
} from "./sys-facts.js";
