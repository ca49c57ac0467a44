/**
 * @module shell/commands/mod
 * `mod`: the loaded modules as crash lists them — the struct module address, name, core base
 * and size — with crash's `(not loaded)  [CONFIG_KALLSYMS]` in OBJECT FILE, which is what crash
 * says when it has the module's symbols from its in-memory kallsyms but no object file: always
 * the case here, since crashlens reads no .ko files.
 */
import { type LoadedModule, moduleList } from "../../kernel/modules/index.js";
import { type ShellCommand, ShellCommandError } from "../command.js";

const hex16 = (v: bigint) => v.toString(16).padStart(16, "0");

/** crash's mkstring(CENTER|LJUST): centred, the odd space on the right */
function center(text: string, width: number): string {
  const pad = Math.max(0, width - text.length);
  const left = Math.floor(pad / 2);
  return `${" ".repeat(left)}${text}${" ".repeat(pad - left)}`;
}

/** The header and one row per module, in crash's widths (NAME and SIZE sized to the longest). */
export function formatModTable(modules: readonly LoadedModule[]): string[] {
  const nameWidth = Math.max(4, ...modules.map((m) => m.name.length));
  const sizeWidth = Math.max(4, ...modules.map((m) => String(m.size).length));
  const lines = [
    `${center("MODULE", 16)}  ${"NAME".padEnd(nameWidth)}  ${center("BASE", 16)}  ${"SIZE".padStart(sizeWidth)}  OBJECT FILE`,
  ];
  for (const m of modules)
    lines.push(
      `${hex16(m.address)}  ${m.name.padEnd(nameWidth)}  ${hex16(m.base)}  ${String(m.size).padStart(sizeWidth)}  (not loaded)  [CONFIG_KALLSYMS]`,
    );
  return lines;
}

export const modCommand: ShellCommand = {
  name: "mod",
  summary: "module information and loading of symbols and debugging data",
  usage: "[name]",
  options: [
    {
      flag: "s",
      value: "module",
      description: "load a module's symbols (not supported: no .ko files are read)",
    },
    {
      flag: "S",
      description: "load every module's symbols (not supported: no .ko files are read)",
    },
  ],
  help: `Lists the loaded modules read from the dump's modules list: the address of each struct
module, its name, the base and size of its core image (core_layout, or mem[] on v6.4+) and its
object file. crashlens reads no object files, so each shows "(not loaded)  [CONFIG_KALLSYMS]":
the module's symbols come from its in-memory kallsyms instead. With a name, only that module.`,
  examples: "crashlens> mod",
  async run(ctx, args) {
    if (args.has("s") || args.has("S"))
      throw new ShellCommandError(
        "-s/-S: crashlens loads no module object files; symbols come from each module's kallsyms",
      );
    const list = await moduleList(ctx.kernel);
    for (const warning of list.warnings) ctx.err.write(`mod: WARNING: ${warning}\n`);
    let modules = list.modules;
    if (args.positional.length > 0) {
      modules = modules.filter((m) => args.positional.includes(m.name));
      if (modules.length === 0)
        throw new ShellCommandError(`module ${args.positional[0]} is not loaded`);
    }
    ctx.out.write(`${formatModTable(modules).join("\n")}\n`);
  },
};
