/**
 * @module shell/commands/help
 * `help` lists the commands in crash's five columns; `help CMD` prints the row's NAME,
 * SYNOPSIS, DESCRIPTION (with the option list made from the row) and EXAMPLES.
 */
import { type ShellCommand, ShellCommandError } from "../command.js";

const COLUMNS = 5;
const WIDTH = 15;

/** crash's layout: names down the columns, each padded to 15 */
export function formatCommandList(names: readonly string[]): string {
  const rows = Math.ceil(names.length / COLUMNS);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let line = "";
    for (let c = 0; c < COLUMNS; c++) {
      const name = names[c * rows + r];
      if (name !== undefined) line += name.padEnd(WIDTH);
    }
    lines.push(line.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((l) => (l === "" ? "" : `${by}${l}`))
    .join("\n");

export function formatCommandHelp(command: ShellCommand): string {
  const parts = [
    `NAME\n  ${command.name} - ${command.summary}`,
    `SYNOPSIS\n  ${`${command.name} ${command.usage}`.trimEnd()}`,
  ];
  let description = indent(command.help.trim(), "  ");
  if (command.options.length > 0) {
    const options = command.options.map((o) => {
      const flag = `-${o.flag}${o.value === undefined ? "" : ` ${o.value}`}`;
      return `${flag.padStart(6)}  ${o.description}`;
    });
    description += `\n\n${options.map((l) => `  ${l}`).join("\n")}`;
  }
  if (command.aliases !== undefined && command.aliases.length > 0)
    description += `\n\n  Also available as: ${command.aliases.join(", ")}.`;
  parts.push(`DESCRIPTION\n${description}`);
  if (command.examples !== undefined)
    parts.push(`EXAMPLES\n${indent(command.examples.trim(), "    ")}`);
  return `${parts.join("\n\n")}\n\n`;
}

export const helpCommand: ShellCommand = {
  name: "help",
  summary: "get help",
  usage: "[command | all]",
  options: [],
  help: `With no argument, lists the commands. With a command name, prints its help page.
"help all" prints every page. This is crashlens, not crash: the commands, options and output
follow crash's, over what the dump itself holds (kallsyms, later BTF), with no debuginfo.`,
  examples: `crashlens> help rd`,
  run(ctx, args) {
    const sorted = [...ctx.commands].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (args.positional.length === 0) {
      ctx.out.write(formatCommandList(sorted.map((c) => c.name)));
      ctx.out.write(
        `\ncrashlens shell: crash's commands over a dump, without debuginfo (this is not crash).\n` +
          `For help on any command above, enter "help <command>".\n`,
      );
      return;
    }
    for (const word of args.positional) {
      if (word === "all") {
        for (const c of sorted) ctx.out.write(formatCommandHelp(c));
        continue;
      }
      const command = ctx.commands.find((c) => c.name === word || c.aliases?.includes(word));
      if (command === undefined)
        throw new ShellCommandError(`no help for "${word}": not a command`);
      ctx.out.write(formatCommandHelp(command));
    }
  },
};
