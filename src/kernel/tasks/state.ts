/**
 * @module kernel/tasks/state
 * Task state bits and the two-letter names crash prints for them (RU IN UN ID ST TR ZO DE PA
 * WA NE). BTF does not carry #defines, so the bit values are tables copied from the kernel's
 * include/linux/sched.h; which table applies is detected from the kernel's own
 * `task_state_array[]` (fs/proc/array.c), as crash's initialize_task_state() does.
 */

/** One layout of the `task_struct.__state`/`exit_state` bits. */
export interface TaskStateBits {
  /** which kernels use it, for the reader */
  id: string;
  running: number;
  interruptible: number;
  uninterruptible: number;
  stopped: number;
  traced: number;
  /** EXIT_DEAD | TASK_DEAD: crash treats both as "dead" */
  dead: number;
  zombie: number;
  parked: number;
  wakekill: number;
  waking: number;
  noload: number;
  new: number;
}

/**
 * include/linux/sched.h since Linux kernel commit 8ef9925b02c2 ("sched/debug: Add explicit
 * TASK_PARKED printing") (in v4.14), which moved TASK_PARKED to 0x40 so that
 * task_state_array[] lists it, and TASK_DEAD/WAKEKILL/WAKING/NOLOAD/NEW one bit up each.
 * (TASK_RTLOCK_WAIT 0x1000, TASK_FREEZABLE 0x2000 and TASK_FROZEN 0x8000 came later; crash
 * names none of them.)
 */
export const stateBitsV414: TaskStateBits = {
  id: "v4.14+",
  running: 0x0,
  interruptible: 0x1,
  uninterruptible: 0x2,
  stopped: 0x4, // __TASK_STOPPED
  traced: 0x8, // __TASK_TRACED
  dead: 0x10 | 0x80, // EXIT_DEAD | TASK_DEAD
  zombie: 0x20, // EXIT_ZOMBIE
  parked: 0x40,
  wakekill: 0x100,
  waking: 0x200,
  noload: 0x400, // TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD (v4.2)
  new: 0x800, // v4.11
};

/** include/linux/sched.h from v4.2 (TASK_NOLOAD) to v4.13: TASK_DEAD 0x40 … TASK_PARKED 0x200 */
export const stateBitsV402: TaskStateBits = {
  id: "v4.2-v4.13",
  running: 0x0,
  interruptible: 0x1,
  uninterruptible: 0x2,
  stopped: 0x4,
  traced: 0x8,
  dead: 0x10 | 0x40, // EXIT_DEAD | TASK_DEAD
  zombie: 0x20, // EXIT_ZOMBIE (0x10/0x20 swapped with EXIT_DEAD in v3.15, ad86622b478e)
  parked: 0x200,
  wakekill: 0x80,
  waking: 0x100,
  noload: 0x400,
  new: 0x800,
};

/**
 * Picks the table from `task_state_array[]`'s strings: "P (parked)" is listed only since v4.14;
 * without the array (unreadable page, no KALLSYMS_ALL) the newest table is assumed.
 */
export function stateBitsFor(taskStateArray: readonly string[] | undefined): TaskStateBits {
  if (taskStateArray === undefined || taskStateArray.length === 0) return stateBitsV414;
  if (taskStateArray.some((s) => s.includes("(parked)"))) return stateBitsV414;
  return stateBitsV402;
}

/** the names crash prints in ps's ST column and `foreach` accepts as a state filter */
export const stateNames = [
  "RU",
  "IN",
  "UN",
  "ID",
  "ST",
  "TR",
  "ZO",
  "DE",
  "PA",
  "WA",
  "NE",
] as const;
export type StateName = (typeof stateNames)[number] | "??";

/** the STATE line words crash's show_context() prints (`set`, `kmem` of a task stack) */
export const stateWords: Readonly<Record<string, string>> = {
  RU: "TASK_RUNNING",
  IN: "TASK_INTERRUPTIBLE",
  UN: "TASK_UNINTERRUPTIBLE",
  ID: "TASK_IDLE",
  ST: "TASK_STOPPED",
  TR: "TASK_TRACED",
  ZO: "EXIT_ZOMBIE",
  DE: "EXIT_DEAD",
  PA: "TASK_PARKED",
  WA: "TASK_WAKING",
  NE: "TASK_NEW",
};

/**
 * crash 8's task_state_string(): `state | exit_state`, tested in crash's order so that the
 * last match wins (a zombie's exit_state beats its TASK_DEAD, as in crash).
 */
export function stateName(state: number, exitState: number, bits: TaskStateBits): StateName {
  const s = (state | exitState) >>> 0;
  let name: StateName = "??";
  let set = false;
  if (s === bits.running) name = "RU";
  if (s & bits.interruptible) {
    name = "IN";
    set = true;
  }
  if (s & bits.uninterruptible) {
    name = s & bits.noload ? "ID" : "UN";
    set = true;
  }
  if (s & bits.zombie) {
    name = "ZO";
    set = true;
  }
  if (s & bits.stopped) {
    name = "ST";
    set = true;
  }
  if (s & bits.traced) {
    name = "TR";
    set = true;
  }
  if (s & bits.dead && !set) name = "DE";
  if (s === bits.parked) name = "PA";
  if (s === bits.waking) name = "WA";
  if (s === bits.new) name = "NE";
  return name;
}

/**
 * A state filter as `foreach STATE cmd` and `ps` take it: true when the task's two-letter
 * name starts with `filter` (crash compares with STRNEQ), e.g. "UN" matches UN only, "ID" ID.
 */
export function matchesState(filter: string, name: StateName): boolean {
  return filter.length > 0 && name.startsWith(filter);
}

/** whether `word` is a state name crash's foreach accepts ("RU", "UN", …, and "SW") */
export function isStateFilter(word: string): boolean {
  return (stateNames as readonly string[]).includes(word) || word === "SW";
}
