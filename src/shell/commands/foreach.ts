/**
 * @module shell/commands/foreach
 * `foreach`: runs `bt` or `task` for every task a selector keeps, as crash does — by pid,
 * task address or name, by state (`foreach UN bt`: every uninterruptible task, the first
 * question about a hang), or by kind (`kernel`, `user`, `gleader`, `active`).
 */

import {
  filterTasks,
  findTasks,
  isStateFilter,
  type Task,
  type TaskFilter,
  taskTable,
} from "../../kernel/tasks/index.js";
import { type ShellCommand, ShellCommandError, ShellUsageError } from "../command.js";
import { backtraceStyle, printTaskBacktrace } from "./bt.js";
import { taskHeader } from "./ps.js";
import { formatTaskStruct } from "./task.js";

/** the selector words crash's foreach takes before the command */
const KIND_WORDS: Readonly<Record<string, TaskFilter>> = {
  kernel: { kind: "kernel" },
  user: { kind: "user" },
  gleader: { groupLeaders: true },
  active: { active: true },
};

const SUBCOMMANDS = ["bt", "task"] as const;

export const foreachCommand: ShellCommand = {
  name: "foreach",
  summary: "display command data for multiple tasks in the system",
  usage: "[[pid | taskp | name | state | [kernel | user | gleader | active]] ...] command [flag]",
  options: [],
  optionsFirst: true,
  help: `Runs a command for each selected task: every task when nothing is selected, else the
tasks named by pid, task address or command name, in a state (RU IN UN ID ST TR ZO DE PA NE),
or of a kind (kernel, user, gleader, active). Commands: bt (with its -f -F -FF -s -x flags)
and task.`,
  examples: `crashlens> foreach UN bt
crashlens> foreach buggy_worker bt -f
crashlens> foreach kernel task`,
  async run(ctx, args) {
    const words = [...args.positional];
    const at = words.findIndex((w) => (SUBCOMMANDS as readonly string[]).includes(w));
    if (at < 0)
      throw new ShellUsageError(
        words.length === 0
          ? ""
          : `foreach: no command given (crashlens supports ${SUBCOMMANDS.join(", ")})`,
      );
    const command = words[at] as (typeof SUBCOMMANDS)[number];
    const selectors = words.slice(0, at);
    const flags = words.slice(at + 1);
    const table = await taskTable(ctx.kernel);
    let tasks: Task[] = [];
    const filter: TaskFilter = {};
    const named: Task[] = [];
    for (const word of selectors) {
      if (isStateFilter(word)) filter.state = word;
      else if (KIND_WORDS[word] !== undefined) Object.assign(filter, KIND_WORDS[word]);
      else {
        const found = findTasks(table, word);
        if (found.length === 0)
          throw new ShellCommandError(`foreach: invalid task, pid or name: ${word}`);
        named.push(...found);
      }
    }
    tasks = filterTasks(named.length > 0 ? named : table.tasks, filter);
    if (command === "bt") {
      const letters = flags
        .filter((f) => f.startsWith("-"))
        .join("")
        .replaceAll("-", "");
      const unknown = [...letters].find((c) => !"fFsxd".includes(c));
      if (unknown !== undefined) throw new ShellUsageError(`bt: invalid option -- '${unknown}'`);
      const style = await backtraceStyle(ctx.kernel, {
        f: letters.includes("f"),
        F: [...letters].filter((c) => c === "F").length,
        s: letters.includes("s"),
        radix: letters.includes("x") ? 16 : letters.includes("d") ? 10 : ctx.settings.radix,
      });
      for (const [i, task] of tasks.entries()) {
        if (ctx.signal.aborted) return;
        if (i > 0) ctx.out.write("\n");
        await printTaskBacktrace(ctx, task, style);
      }
      return;
    }
    for (const task of tasks) {
      if (ctx.signal.aborted) return;
      ctx.out.write(
        `${taskHeader(task)}\n${await formatTaskStruct(ctx.kernel, task, ctx.settings.radix)}\n\n`,
      );
    }
  },
};
