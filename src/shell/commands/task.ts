/**
 * @module shell/commands/task
 * `task [pid | task]... [-R member[,member]]`: crash's task header (`PID: 100  TASK: …  CPU: 0
 * COMMAND: "sh"`) and the task_struct, decoded from BTF and printed as gdb prints it inside
 * crash (`shell/format/gdb-value.ts`); `-R` keeps only the named top-level members, picked
 * from that print the way crash's task_struct_member() picks them.
 */
import { decodeValue } from "../../kernel/btf/value.js";
import type { Kernel } from "../../kernel/kernel.js";
import { kernelSymbolizer } from "../../kernel/modules/index.js";
import { findTasks, type Task, taskTable } from "../../kernel/tasks/index.js";
import { type ShellCommand, ShellCommandError } from "../command.js";
import {
  formatGdbValue,
  type GdbPrintOptions,
  readGdbString,
  type StringRead,
  stringTargets,
} from "../format/gdb-value.js";
import { contextTask } from "./bt.js";
import { taskHeader } from "./ps.js";

/** `struct task_struct {` … `}` for one task, as crash's dump_struct prints it */
export async function formatTaskStruct(
  kernel: Kernel,
  task: Task,
  radix: 10 | 16 = 10,
): Promise<string> {
  const btf = await kernel.btf();
  const type = btf.find("struct task_struct");
  if (type?.size === undefined) throw new ShellCommandError("BTF has no struct task_struct");
  const bytes = await kernel.memory.read(task.address, type.size);
  const value = decodeValue(btf, type.id, bytes, { address: task.address });
  const symbolizer = await kernelSymbolizer(kernel).catch(() => undefined);
  const options: GdbPrintOptions = { radix };
  if (symbolizer !== undefined)
    options.symbolize = (address) => {
      const hit = symbolizer.symbolize(address);
      if (hit === undefined) return undefined;
      return hit.offset === 0 ? hit.name : `${hit.name}+${hit.offset}`;
    };
  const strings = new Map<bigint, StringRead>();
  for (const at of stringTargets(btf, value, options))
    strings.set(at, await readGdbString(kernel.memory.read, at));
  options.strings = strings;
  return `struct task_struct ${formatGdbValue(btf, value, options)}`;
}

/**
 * crash's task_struct_member(): the lines of the full print that start `  name = `, with a
 * multi-line member's lines up to its closing `  },` (or `    }},` for an array of structs).
 */
export function pickMembers(body: string, members: readonly string[]): string[] {
  const out: string[] = [];
  let until: { text: string; exact: boolean } | undefined;
  for (const line of body.split("\n")) {
    if (until !== undefined) {
      out.push(line);
      if (until.exact ? line.startsWith(until.text) : line.includes(until.text)) until = undefined;
      continue;
    }
    const name = members.find((m) => line.startsWith(`  ${m} = `));
    if (name === undefined) continue;
    out.push(line);
    if (line.endsWith("{{")) until = { text: "    }},", exact: true };
    else if (line.endsWith("{")) until = { text: "  },", exact: true };
    else if (line.includes("{") && !line.includes("}")) until = { text: "},", exact: false };
  }
  return out;
}

export const taskCommand: ShellCommand = {
  name: "task",
  summary: "task_struct contents",
  usage: "[-R member[,member]] [-dx] [pid | taskp] ...",
  options: [
    {
      flag: "R",
      value: "member",
      repeatable: true,
      description: "only these task_struct members (comma-separated)",
    },
    { flag: "x", description: "integers in hexadecimal" },
    { flag: "d", description: "integers in decimal" },
  ],
  help: `Prints the task header and the task_struct of each task named by pid or task address
(default: the panic task, else the task running on the panic CPU), decoded with the dump's BTF.
-R keeps only the named members; a word that is a task_struct member name works as -R too.`,
  examples: "crashlens> task -R comm,__state 100",
  async run(ctx, args) {
    if (args.has("x") && args.has("d"))
      throw new ShellCommandError("-d and -x are mutually exclusive");
    const radix: 10 | 16 = args.has("x") ? 16 : 10;
    const table = await taskTable(ctx.kernel);
    const btf = await ctx.kernel.btf();
    const taskType = btf.find("struct task_struct");
    const members = args
      .values("R")
      .flatMap((v) => v.split(","))
      .filter((m) => m !== "");
    const chosen: Task[] = [];
    for (const word of args.positional) {
      if (/^(0x)?[0-9a-f]+$/i.test(word)) {
        const found = findTasks(table, word);
        if (found.length === 0) throw new ShellCommandError(`invalid task or pid value: ${word}`);
        chosen.push(...found);
      } else if (word.includes(",") || (taskType !== undefined && btf.member(taskType.id, word))) {
        members.push(...word.split(",").filter((m) => m !== ""));
      } else throw new ShellCommandError(`invalid task, pid, or task_struct member: ${word}`);
    }
    if (chosen.length === 0) {
      const current = await contextTask(ctx, table);
      if (current === undefined)
        throw new ShellCommandError("no current task: give a pid or task address");
      chosen.push(current);
    }
    for (const name of members)
      if (taskType === undefined || btf.member(taskType.id, name) === undefined)
        ctx.err.write(`task: ${name}: not a task_struct or thread_info member\n`);
    for (const task of chosen) {
      if (ctx.signal.aborted) return;
      const body = await formatTaskStruct(ctx.kernel, task, radix);
      if (members.length > 0) {
        const picked = pickMembers(body, members);
        if (picked.length > 0) ctx.out.write(`${taskHeader(task)}\n${picked.join("\n")}\n\n`);
      } else ctx.out.write(`${taskHeader(task)}\n${body}\n\n`);
    }
  },
};
