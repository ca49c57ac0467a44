/**
 * @module shell/format/task-context
 * crash's show_context() block — PID, COMMAND, TASK, CPU, STATE — which `set` prints for
 * the chosen context and `kmem` before the vmap area of a kernel stack.
 */
import { stateWords, type Task } from "../../kernel/tasks/index.js";

const hex16 = (v: bigint) => v.toString(16).padStart(16, "0");

/** `panic`: the task that panicked (crash marks it `(PANIC)`, other running ones `(ACTIVE)`) */
export function formatTaskBlock(task: Task, panic: boolean): string[] {
  const mark = panic ? " (PANIC)" : task.active ? " (ACTIVE)" : "";
  return [
    `    PID: ${task.pid}`,
    `COMMAND: "${task.comm}"`,
    `   TASK: ${hex16(task.address)}  [THREAD_INFO: ${hex16(task.address)}]`,
    `    CPU: ${task.cpu}`,
    `  STATE: ${stateWords[task.stateName] ?? task.stateName}${mark} `,
  ];
}
