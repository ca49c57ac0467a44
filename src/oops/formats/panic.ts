/**
 * @module oops/formats/panic
 * Explicit panics and assertions: "Kernel panic - not syncing", "kernel BUG at", Rust
 * panics, slab double frees.
 */
import { re } from "../patterns.js";
import { ripThenTrace, traceOnly } from "./common.js";
import type { OopsGroup } from "./types.js";

export const panicGroups: OopsGroup[] = [
  {
    header: "Kernel panic",
    formats: [
      // on stack corruption the kernel may fail to print the symbol or to unwind; a canary
      // overwritten in a frame is a panic of its own, not an overflow of the stack
      {
        kind: "panic",
        title: re("Kernel panic - not syncing: stack-protector:"),
        report: re(
          "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}",
        ),
        template: "kernel panic: stack is corrupted in {1}",
        noStackTrace: true,
      },
      {
        kind: "panic",
        title: re("Kernel panic - not syncing: stack-protector:"),
        report: re(
          "Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+",
        ),
        template: "kernel panic: stack is corrupted in {1}",
        stack: traceOnly({ skip: ["stack_chk"] }),
      },
      {
        kind: "stack-overflow",
        title: re("Kernel panic - not syncing: corrupted stack end"),
        report: re("Kernel panic - not syncing: corrupted stack end detected inside scheduler"),
        template: "kernel panic: corrupted stack end in {1}",
        alt: ["stack-overflow in {1}"],
        stack: traceOnly({ skip: ["schedule", "retint_kernel"], extractor: "stall" }),
      },
      {
        kind: "stack-overflow",
        title: re("Kernel panic - not syncing: kernel stack overflow"),
        template: "kernel stack overflow in {1}",
        alt: ["stack-overflow in {1}"],
        stack: traceOnly({ skip: ["bad_stack"], extractor: "stall" }),
      },
      {
        kind: "panic",
        title: re("Kernel panic - not syncing: Attempted to kill init!"),
        template: "kernel panic: Attempted to kill init!",
      },
      {
        kind: "panic",
        title: re(
          "Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+",
        ),
        template: "kernel panic: Couldn't open N_TTY ldisc",
      },
      {
        kind: "oom",
        title: re("Kernel panic - not syncing: (?:Out of memory|System is deadlocked on memory)"),
        template: "kernel panic: Out of memory in {1}",
        stack: traceOnly({ skip: ["out_of_memory", "^oom_", "dump_header"] }),
      },
      {
        // printed after an oops: seeing it first means the oops itself was lost
        kind: "panic",
        title: re("Kernel panic - not syncing: Fatal exception"),
        template: "kernel panic: Fatal exception",
        corrupted: true,
      },
      {
        // likewise after WARNINGs and sanitizer reports
        kind: "panic",
        title: re("Kernel panic - not syncing: panic_on_warn set"),
        template: "kernel panic: panic_on_warn set",
        corrupted: true,
      },
      {
        // likewise after hung-task reports
        kind: "hung-task",
        title: re("Kernel panic - not syncing: hung_task: blocked tasks"),
        template: "kernel panic: hung_task: blocked tasks",
        corrupted: true,
      },
      {
        kind: "panic",
        title: re("Kernel panic - not syncing: (.*)"),
        template: "kernel panic: {1}",
      },
    ],
  },
  {
    header: "rust_kernel: panicked",
    formats: [
      {
        kind: "panic",
        title: re("rust_kernel: panicked"),
        report: re("rust_kernel: panicked at [^\\n]*?\\n(.+?)\\n"),
        template: "{1} in {2}",
        stack: traceOnly({ skip: ["__rustc::rust_begin_unwind", "rust_begin_unwind"] }),
      },
    ],
  },
  {
    header: "kernel BUG",
    formats: [
      {
        kind: "kernel-bug",
        title: re("kernel BUG at mm/usercopy.c"),
        template: "BUG: bad usercopy in {1}",
        stack: traceOnly({ skip: ["usercopy", "__check"] }),
      },
      {
        kind: "list-corruption",
        title: re("kernel BUG at lib/list_debug.c"),
        template: "BUG: corrupted list in {1}",
        // also a symptom of memory corruption and races
        alt: ["bad-access in {1}"],
        stack: traceOnly(),
      },
      {
        kind: "kernel-bug",
        title: re("kernel BUG at (.*)"),
        template: "kernel BUG in {2}",
        // many skb helpers BUG_ON() a bad argument: the bug is in their caller
        stack: ripThenTrace({ skip: ["^skb_"] }),
      },
    ],
  },
  {
    header: "Kernel BUG",
    formats: [{ kind: "kernel-bug", title: re("Kernel BUG (.*)"), template: "kernel BUG {1}" }],
  },
  {
    header: "BUG kmalloc-",
    formats: [
      {
        kind: "kasan",
        title: re("BUG kmalloc-.*: Object already free"),
        template: "BUG: Object already free",
      },
    ],
  },
];
