/**
 * @module shell/commands/set
 * `set`: the session's variables — `scroll` (page long output) and `radix` (symbol offsets in
 * decimal or hexadecimal) — and the task context (`set PID`, `set TASK`, `set -p`,
 * `set -c CPU`) that `bt` and `task` use when given no task.
 */
import { cpuTask, panicTask } from "../../kernel/backtrace.js";
import { findTasks, type Task, taskTable } from "../../kernel/tasks/index.js";
import {
  type CommandContext,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { formatTaskBlock } from "../format/task-context.js";
import type { ShellSettings } from "../settings.js";

async function setContext(
  ctx: CommandContext,
  pick: (tasks: Awaited<ReturnType<typeof taskTable>>) => Promise<Task | undefined>,
  what: string,
) {
  const table = await taskTable(ctx.kernel);
  const task = await pick(table);
  if (task === undefined) throw new ShellCommandError(`invalid task or pid value: ${what}`);
  ctx.settings.context = task.address;
  const panic = await panicTask(ctx.kernel, table);
  ctx.out.write(`${formatTaskBlock(task, panic?.address === task.address).join("\n")}\n`);
}

const scrollLine = (s: ShellSettings) => `scroll: ${s.scroll ? "on" : "off"}\n`;
const radixLine = (s: ShellSettings) =>
  `output radix: ${s.radix} (${s.radix === 16 ? "hex" : "decimal"})\n`;

export const setCommand: ShellCommand = {
  name: "set",
  summary: "set a process context or internal crash variable",
  usage: "[-v] | [scroll [on|off]] | [radix [10|16]] | [pid | taskp | -p]",
  options: [
    { flag: "v", description: "show the internal variables" },
    { flag: "p", description: "back to the panic task's context" },
    { flag: "c", value: "cpu", description: "the context of the task active on cpu" },
  ],
  help: `"set scroll on|off" pages output longer than the terminal through $PAGER (or
less -FRX) when the output is a terminal; "set radix 10|16" prints symbol offsets in
decimal or hexadecimal (sym, dis, rd -s). "set -v" shows both. "set PID" or "set TASK"
makes that task the context bt and task act on when given none; "set -c CPU" picks the task
running on CPU; "set -p" goes back to the panic task. "set" alone shows the context.`,
  examples: `crashlens> set radix 16
output radix: 16 (hex)`,
  async run(ctx, args) {
    const { settings } = ctx;
    if (args.has("p")) {
      delete settings.context;
      return setContext(ctx, (table) => panicTask(ctx.kernel, table), "panic task");
    }
    const cpu = args.value("c");
    if (cpu !== undefined) {
      if (!/^\d+$/.test(cpu)) throw new ShellCommandError(`invalid cpu: ${cpu}`);
      return setContext(
        ctx,
        (table) => cpuTask(ctx.kernel, Number(cpu), table).catch(() => undefined),
        `cpu ${cpu}`,
      );
    }
    const [name, value, extra] = args.positional;
    if (extra !== undefined) throw new ShellUsageError("");
    if (args.has("v")) {
      ctx.out.write(`${scrollLine(settings)}${radixLine(settings)}`);
      return;
    }
    if (name === undefined) {
      return setContext(
        ctx,
        async (table) =>
          (settings.context === undefined ? undefined : table.byAddress.get(settings.context)) ??
          panicTask(ctx.kernel, table),
        "context",
      );
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
    if (/^\d+$|^(0x)?[0-9a-f]{8,16}$/i.test(name))
      return setContext(ctx, async (table) => findTasks(table, name)[0], name);
    throw new ShellCommandError(`invalid variable: ${name}`);
  },
};
