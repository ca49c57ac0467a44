/**
 * @module kernel/tasks
 * Tasks from the dump itself: the task table (leaders, threads, per-CPU idle tasks), crash's
 * state names, VSZ/RSS/%MEM, and what each CPU's runqueue holds.
 */
export { type Field, findField, type TaskLayout, taskLayout } from "./layout.js";
export { type ListWalk, maxListEntries, type WalkOptions, walkList } from "./list-walk.js";
export {
  type MemoryUsage,
  psMemory,
  readMemoryUsage,
  readPresentPages,
  type TaskMemory,
  taskMemoryUsage,
} from "./memory-usage.js";
export {
  type CpuRunqueueContents,
  type QueuedTask,
  type RunqueueReport,
  readRunqueues,
} from "./runqueue.js";
export { compareTasks, filterTasks, findTasks, type TaskFilter } from "./select.js";
export {
  isStateFilter,
  matchesState,
  type StateName,
  stateBitsFor,
  stateBitsV402,
  stateBitsV414,
  stateName,
  stateNames,
  stateWords,
  type TaskStateBits,
} from "./state.js";
export {
  type CpuRunqueue,
  PF_EXITING,
  PF_KTHREAD,
  readTaskTable,
  type Task,
  type TaskTable,
  taskCount,
  taskTable,
} from "./tasks.js";
