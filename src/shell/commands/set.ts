/**
 * @module shell/commands/set
 * `set`: the session's variables — `scroll` (page long output) and `radix` (symbol offsets in
 * decimal or hexadecimal). Task contexts (`set PID`, `set -p`) come with the task list.
 */
import { type ShellCommand, ShellCommandError, ShellUsageError } from "../command.js";
import type { ShellSettings } from "../settings.js";

const scrollLine = (s: ShellSettings) => `scroll: ${s.scroll ? "on" : "off"}\n`;
const radixLine = (s: ShellSettings) =>
  `output radix: ${s.radix} (${s.radix === 16 ? "hex" : "decimal"})\n`;

export const setCommand: ShellCommand = {
  name: "set",
  summary: "set a process context or internal crash variable",
  usage: "[-v] | [scroll [on|off]] | [radix [10|16]] | [pid | taskp | -p]",
  options: [
    { flag: "v", description: "show the internal variables" },
    { flag: "p", description: "the panic task's context (needs the task list; not yet)" },
    { flag: "c", value: "cpu", description: "the context of the task active on cpu (not yet)" },
  ],
  help: `"set scroll on|off" pages output longer than the terminal through $PAGER (or
less -FRX) when the output is a terminal; "set radix 10|16" prints symbol offsets in
decimal or hexadecimal (sym, dis, rd -s). "set -v" shows both. Choosing a task context
(set PID, set -p, set -c CPU) needs the task list, which is not read yet.`,
  examples: `crashlens> set radix 16
output radix: 16 (hex)`,
  run(ctx, args) {
    const { settings } = ctx;
    if (args.has("p") || args.has("c"))
      throw new ShellCommandError("task contexts need the task list, which is not read yet");
    const [name, value, extra] = args.positional;
    if (extra !== undefined) throw new ShellUsageError("");
    if (args.has("v") || name === undefined) {
      ctx.out.write(`${scrollLine(settings)}${radixLine(settings)}`);
      return;
    }
    if (name === "scroll") {
      if (value === "on") settings.scroll = true;
      else if (value === "off") settings.scroll = false;
      else if (value !== undefined) throw new ShellCommandError(`invalid scroll value: ${value}`);
      ctx.out.write(scrollLine(settings));
      return;
    }
    if (name === "radix") {
      if (value === "10" || value === "16") settings.radix = Number(value) as 10 | 16;
      else if (value !== undefined)
        throw new ShellCommandError(`invalid radix: ${value} (10 or 16)`);
      ctx.out.write(radixLine(settings));
      return;
    }
    if (/^\d+$|^[0-9a-f]{16}$/i.test(name))
      throw new ShellCommandError("task contexts need the task list, which is not read yet");
    throw new ShellCommandError(`invalid variable: ${name}`);
  },
};
