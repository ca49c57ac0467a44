/**
 * crash's two-letter task states from `__state | exit_state`, for both bit layouts, and the
 * state filter `foreach STATE` uses. Values are include/linux/sched.h's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  isStateFilter,
  matchesState,
  stateBitsFor,
  stateBitsV402,
  stateBitsV414,
  stateName,
} from "./state.js";

describe("stateName on v4.14+ bits (6.1's sched.h)", () => {
  const cases: [string, number, number, string][] = [
    ["TASK_RUNNING", 0x0, 0, "RU"],
    ["TASK_INTERRUPTIBLE", 0x1, 0, "IN"],
    ["TASK_UNINTERRUPTIBLE", 0x2, 0, "UN"],
    ["TASK_KILLABLE (WAKEKILL|UNINTERRUPTIBLE)", 0x102, 0, "UN"],
    ["TASK_IDLE (UNINTERRUPTIBLE|NOLOAD)", 0x402, 0, "ID"],
    ["TASK_STOPPED (WAKEKILL|__TASK_STOPPED)", 0x104, 0, "ST"],
    ["TASK_TRACED", 0x8, 0, "TR"],
    ["EXIT_ZOMBIE in exit_state", 0x80, 0x20, "ZO"],
    ["EXIT_DEAD in exit_state", 0x80, 0x10, "DE"],
    ["TASK_DEAD alone", 0x80, 0, "DE"],
    ["TASK_PARKED", 0x40, 0, "PA"],
    ["TASK_WAKING", 0x200, 0, "WA"],
    ["TASK_NEW", 0x800, 0, "NE"],
    ["TASK_FREEZABLE|TASK_INTERRUPTIBLE (6.1)", 0x2001, 0, "IN"],
    ["TASK_RTLOCK_WAIT alone (crash names no such state)", 0x1000, 0, "??"],
  ];
  for (const [what, state, exit, expected] of cases)
    it(`${what} → ${expected}`, () =>
      assert.equal(stateName(state, exit, stateBitsV414), expected));
});

describe("stateName on v4.2–v4.13 bits", () => {
  it("reads TASK_PARKED at 0x200 and TASK_DEAD at 0x40", () => {
    assert.equal(stateName(0x200, 0, stateBitsV402), "PA");
    assert.equal(stateName(0x40, 0, stateBitsV402), "DE");
    assert.equal(stateName(0x40, 0, stateBitsV414), "PA");
    assert.equal(stateName(0x402, 0, stateBitsV402), "ID");
  });
});

describe("stateBitsFor picks the table from task_state_array[]", () => {
  it("v4.14+ lists P (parked) and I (idle)", () => {
    const array = [
      "R (running)",
      "S (sleeping)",
      "D (disk sleep)",
      "T (stopped)",
      "t (tracing stop)",
    ];
    assert.equal(
      stateBitsFor([...array, "X (dead)", "Z (zombie)", "P (parked)", "I (idle)"]).id,
      "v4.14+",
    );
    assert.equal(stateBitsFor([...array, "X (dead)", "Z (zombie)"]).id, "v4.2-v4.13");
    assert.equal(stateBitsFor(undefined).id, "v4.14+");
  });
});

describe("the state filter", () => {
  it("matches crash's names by prefix and knows which words are states", () => {
    assert.equal(matchesState("UN", "UN"), true);
    assert.equal(matchesState("UN", "ID"), false);
    assert.equal(matchesState("ID", "ID"), true);
    assert.equal(matchesState("", "RU"), false);
    assert.equal(isStateFilter("UN"), true);
    assert.equal(isStateFilter("SW"), true);
    assert.equal(isStateFilter("sh"), false);
  });
});
