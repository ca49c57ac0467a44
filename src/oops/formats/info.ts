/**
 * @module oops/formats/info
 * Reports that start with "INFO:": RCU stalls, hung tasks and older lockdep reports.
 */
import { RIP_FRAME, re } from "../patterns.js";
import { traceOnly } from "./common.js";
import { type OopsGroup, TRACE } from "./types.js";

export const infoGroup: OopsGroup = {
  header: "INFO:",
  formats: [
    // lockdep's reports before 4.x ("[ INFO: possible recursive locking detected ]") are a
    // debug check's findings, not a WARN(): kind other (lockdep's "WARNING:" ones are warnings)
    {
      kind: "other",
      title: re("INFO: possible circular locking dependency detected"),
      report: re(
        "INFO: possible circular locking dependency detected \\](?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}",
      ),
      template: "possible deadlock in {1}",
    },
    {
      kind: "other",
      title: re("INFO: possible irq lock inversion dependency detected"),
      report: re(
        "INFO: possible irq lock inversion dependency detected \\](?:.*\\n)+?.*just changed the state of lock(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}",
      ),
      template: "possible deadlock in {1}",
    },
    {
      kind: "other",
      title: re("INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected"),
      report: re(
        "INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \\](?:.*\\n)+?.*is trying to acquire(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}",
      ),
      template: "possible deadlock in {1}",
    },
    {
      kind: "other",
      title: re("INFO: possible recursive locking detected"),
      report: re(
        "INFO: possible recursive locking detected \\](?:.*\\n)+?.*is trying to acquire lock(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}",
      ),
      template: "possible deadlock in {1}",
    },
    {
      kind: "other",
      title: re("INFO: inconsistent lock state"),
      report: re(
        "INFO: inconsistent lock state \\](?:.*\\n)+?.*takes(?:.*\\n)+?.*at: {{PC}} +{{FUNC}}",
      ),
      template: "inconsistent lock state in {1}",
    },
    {
      kind: "rcu-stall",
      title: re("INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall"),
      template: "INFO: rcu detected stall in {1}",
      alt: ["stall in {1}"],
      stack: {
        parts: [re("apic_timer_interrupt"), RIP_FRAME, TRACE],
        fallback: [re("(?:apic_timer_interrupt|Exception stack|el1h_64_irq)"), TRACE],
        skip: ["apic_timer_interrupt", "rcu"],
        extractor: "stall",
      },
    },
    {
      kind: "other",
      title: re("INFO: trying to register non-static key"),
      template: "INFO: trying to register non-static key in {1}",
      stack: traceOnly({ skip: ["stack", "lock", "IRQ"] }),
    },
    {
      kind: "warning",
      title: re("INFO: suspicious RCU usage"),
      report: re("INFO: suspicious RCU usage(?:.*\\n)+?.*?{{SRC}}"),
      template: "INFO: suspicious RCU usage in {2}",
      stack: traceOnly({ skip: ["rcu", "kmem", "slab"] }),
    },
    {
      kind: "hung-task",
      title: re("INFO: task .* blocked for more than [0-9]+ seconds"),
      template: "INFO: task hung in {1}",
      alt: ["hang in {1}"],
      stack: traceOnly({ extractor: "hung-task" }),
    },
    {
      kind: "hung-task",
      title: re("INFO: task .* can't die for more than .* seconds"),
      template: "INFO: task can't die in {1}",
      alt: ["hang in {1}"],
      stack: traceOnly({ skip: ["schedule"] }),
    },
    {
      // what is left of a corrupted old-style KASAN report
      kind: "kasan",
      title: re("INFO: (Freed|Allocated) in (.*)"),
      template: "INFO: {1} in {2}",
      corrupted: true,
    },
    {
      kind: "other",
      title: re("INFO:[[:space:]]*(?:\\n|$)"),
      template: "INFO: corrupted",
      corrupted: true,
    },
  ],
  suppress: [
    re("INFO: lockdep is turned off"),
    re("INFO: Stall ended before state dump start"),
    re("INFO: NMI handler"),
    re("INFO: recovery required on readonly filesystem"),
    re("(handler|interrupt).*took too long"),
    re("INFO: sys_.* is not present in /proc/kallsyms"), // syzkaller host checks
    re("INFO: no syscalls can create resource"),
    re("rmt_storage:INFO:"), // Android
    re("_INFO:"), // "INVALID BTF_INFO:NUM"
  ],
};
