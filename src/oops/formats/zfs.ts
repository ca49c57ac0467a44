/**
 * @module oops/formats/zfs
 * OpenZFS and SPL assertions: `VERIFY3(a >= b) failed (1 >= 2)` (also VERIFY, VERIFY0,
 * VERIFY3U/S/P, ASSERT in debug builds) followed by `PANIC at file.c:503:func()` from
 * spl_panic(), or by `SPLError: pid:0:(file.c:432:func()) SPL PANIC` from SPL before 0.7.
 * The thread then dumps its stack and parks: an assertion failure like BUG_ON(), in a module.
 * The function named by the PANIC line holds the assertion; the title names it.
 */
import { re } from "../patterns.js";
import { traceOnly } from "./common.js";
import type { OopsGroup } from "./types.js";

/** the assertion line itself; "VERIFY" alone (a word in prose, VERIFY_READ) opens nothing */
const ASSERTION = "(?:VERIFY|ASSERT)[0-9A-Z]*\\(.*\\) failed";
/** the frames spl_panic() and the stack dump add above the asserting function */
const SPL_MACHINERY = ["spl_panic", "spl_dumpstack", "spl_debug_", "dump_stack"];

const assertionFormats = [
  {
    kind: "kernel-bug" as const,
    title: re(ASSERTION),
    report: re("PANIC at [^:\\s]+:[0-9]+:([A-Za-z0-9_.]+)\\(\\)"),
    template: "VERIFY failed in {1}",
    stack: traceOnly({ skip: SPL_MACHINERY }),
  },
  {
    kind: "kernel-bug" as const,
    title: re(ASSERTION),
    report: re("SPLError: [0-9]+:[0-9]+:\\([^:\\s]+:[0-9]+:([A-Za-z0-9_.]+)\\(\\)\\) SPL PANIC"),
    template: "VERIFY failed in {1}",
    stack: traceOnly({ skip: SPL_MACHINERY }),
  },
  {
    kind: "kernel-bug" as const,
    title: re(ASSERTION),
    template: "VERIFY failed in {1}",
    stack: traceOnly({ skip: SPL_MACHINERY }),
  },
];

export const zfsGroups: OopsGroup[] = [
  {
    header: "VERIFY",
    formats: assertionFormats,
    suppress: [new RegExp(`^(?!.*${ASSERTION})`)],
  },
  {
    header: "ASSERT",
    formats: assertionFormats,
    suppress: [new RegExp(`^(?!.*${ASSERTION})`)],
  },
  {
    // spl_panic() without a VERIFY line before it (zfs_panic_recover, a cut paste)
    header: "PANIC at ",
    formats: [
      {
        kind: "kernel-bug",
        title: re("PANIC at [^:\\s]+:[0-9]+:([A-Za-z0-9_.]+)\\(\\)"),
        template: "PANIC in {1}",
        stack: traceOnly({ skip: SPL_MACHINERY }),
      },
    ],
    suppress: [/^(?!.*PANIC at [^:\s]+:[0-9]+:[A-Za-z0-9_.]+\(\))/],
  },
];
