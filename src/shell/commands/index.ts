/**
 * @module shell/commands
 * The command table, alphabetical. To add a command: write `commands/<name>.ts` exporting one
 * `ShellCommand` row (name, aliases, summary, usage, options with crash's letters, help text,
 * examples, `run(ctx, args)`), import it here and add it to the list in its alphabetical place.
 * The session parses options from the row (getopt style, usage errors printed as crash does),
 * `help` and tab completion read the row, and `run` gets typed arguments: it calls the library
 * (`ctx.kernel`, `ctx.symbols()`, `readMemory`, …) and writes crash-shaped text to `ctx.out`.
 * Throw `ShellUsageError` for a bad call, `ShellCommandError` for a one-line failure; library
 * errors (a page missing from the dump) are printed for you. In long loops call
 * `if (await checkpoint(ctx.signal)) return;` (`../cancel.js`) so Ctrl-C can stop them. Nothing else is needed.
 */
import type { ShellCommand } from "../command.js";
import { btCommand } from "./bt.js";
import { disCommand } from "./dis.js";
import { evalCommand } from "./eval.js";
import { foreachCommand } from "./foreach.js";
import { helpCommand } from "./help.js";
import { irqCommand } from "./irq.js";
import { kmemCommand } from "./kmem.js";
import { logCommand } from "./log.js";
import { modCommand } from "./mod.js";
import { pCommand } from "./p.js";
import { psCommand } from "./ps.js";
import { quitCommand } from "./q.js";
import { rdCommand } from "./rd.js";
import { runqCommand } from "./runq.js";
import { setCommand } from "./set.js";
import { structCommand, unionCommand } from "./struct.js";
import { symCommand } from "./sym.js";
import { sysCommand } from "./sys.js";
import { taskCommand } from "./task.js";
import { ptypeCommand, whatisCommand } from "./whatis.js";

export const commands: readonly ShellCommand[] = [
  btCommand,
  disCommand,
  evalCommand,
  foreachCommand,
  helpCommand,
  irqCommand,
  kmemCommand,
  logCommand,
  modCommand,
  pCommand,
  psCommand,
  ptypeCommand,
  quitCommand,
  rdCommand,
  runqCommand,
  setCommand,
  structCommand,
  symCommand,
  sysCommand,
  taskCommand,
  unionCommand,
  whatisCommand,
];
