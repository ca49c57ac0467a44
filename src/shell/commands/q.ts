/**
 * @module shell/commands/q
 * `q` (also `quit`, `exit`): ends the session after the current line.
 */
import { QuitRequest, type ShellCommand, ShellUsageError } from "../command.js";

export const quitCommand: ShellCommand = {
  name: "q",
  aliases: ["quit", "exit"],
  summary: "exit this session",
  usage: "",
  options: [],
  help: "Bypasses the rest of the input and ends the session. `quit` and `exit` do the same.",
  run(_ctx, args) {
    if (args.positional.length > 0) throw new ShellUsageError("");
    throw new QuitRequest();
  },
};
