/**
 * @module kernel/tasks/select
 * Choosing tasks as crash does: its order (by pid, the pid-0 idle tasks by CPU), its
 * task-identifying arguments (pid, task address, command name) and the `foreach` filters
 * (state, kernel/user, gleader, active).
 */
import { matchesState } from "./state.js";
import type { Task, TaskTable } from "./tasks.js";

/** crash's sort_by_pid: by pid, and the pid-0 idle tasks by CPU */
export function compareTasks(a: Task, b: Task): number {
  if (a.pid === 0 && b.pid === 0) return a.cpu - b.cpu;
  return a.pid - b.pid;
}

/**
 * Finds tasks by crash's task-identifying argument: a decimal pid (all threads with it), a
 * task_struct address in hex (with or without 0x), or a command name (`\name` to force one).
 */
export function findTasks(table: TaskTable, argument: string): Task[] {
  const arg = argument.trim();
  if (arg.startsWith("\\")) return table.tasks.filter((t) => t.comm === arg.slice(1));
  const found: Task[] = [];
  if (/^\d+$/.test(arg)) found.push(...table.tasks.filter((t) => t.pid === Number(arg)));
  if (found.length > 0) return found;
  if (/^(0x)?[0-9a-f]+$/i.test(arg)) {
    const address = BigInt(arg.startsWith("0x") || arg.startsWith("0X") ? arg : `0x${arg}`);
    const task = table.byAddress.get(address);
    if (task !== undefined) return [task];
  }
  return table.tasks.filter((t) => t.comm === arg);
}

/** What crash's `foreach` (and `ps`) narrow the task list by. */
export interface TaskFilter {
  /** a state name as crash spells it: RU IN UN ID ST TR ZO DE PA WA NE (`foreach UN bt`) */
  state?: string;
  /** `kernel`: kernel threads only; `user`: user tasks only */
  kind?: "kernel" | "user";
  /** `gleader`: user thread-group leaders only */
  groupLeaders?: boolean;
  /** `active`: the task running on each CPU */
  active?: boolean;
}

/** The tasks a filter keeps, in table order (crash's foreach loop order). */
export function filterTasks(tasks: readonly Task[], filter: TaskFilter): Task[] {
  return tasks.filter(
    (t) =>
      (filter.state === undefined || matchesState(filter.state, t.stateName)) &&
      (filter.kind !== "kernel" || t.kernelThread) &&
      (filter.kind !== "user" || !t.kernelThread) &&
      (filter.groupLeaders !== true || (!t.kernelThread && t.pid === t.tgid)) &&
      (filter.active !== true || t.active),
  );
}
