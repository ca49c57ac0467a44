/**
 * @module diagnose/rules/suspect-module
 * Out-of-tree, unsigned, proprietary or vendor-flagged modules on the crashing stack are the
 * first suspects. A module that is only loaded, or a taint letter alone, proves nothing about
 * this crash: naming it would be a guess (issue 8), so the rule stays silent then. Nor does a
 * module count through wait primitives or debug hooks of its own (util/bystander-frames.ts),
 * or on the stack of a task blocked waiting for I/O.
 */
import { moduleFlagMeanings } from "../../oops/fields/taints.js";
import type { Rule } from "../types.js";
import { incriminating, waitsForIo } from "../util/bystander-frames.js";
import { taintAnnouncements } from "../util/taint-announcements.js";

/** Module flags that put a module outside the kernel's own code. */
const SUSPECT_FLAGS = /[POEUFCX]/;

export const suspectModule: Rule = {
  meta: {
    id: "suspect-module",
    type: "problem",
    description: "an out-of-tree / unsigned / proprietary / vendor-flagged module is on the stack",
  },
  run(ctx) {
    const { report } = ctx;
    const flagged = new Map(
      report.modules
        .filter((m) => m.flags && SUSPECT_FLAGS.test(m.flags))
        .map((m) => [m.name, m.flags ?? ""]),
    );
    // "nvidia: loading out-of-tree module taints kernel." names the module a taint is about
    const announced = taintAnnouncements(ctx.reports, (no) => ctx.evidence(no)[0]?.text);
    const listed = new Set(report.modules.map((m) => m.name));
    for (const [name, a] of announced) {
      if (!listed.has(name) && !flagged.has(name)) flagged.set(name, a.flags);
    }
    const flagsLine = (name: string) =>
      listed.has(name) ? report.sourceLines.modules : announced.get(name)?.line;
    const all = [
      ...(report.ip?.module
        ? [{ ...report.ip, reliable: true, context: report.trace[0]?.context ?? "task" } as const]
        : []),
      ...report.trace,
    ];
    // a hung task blocked on I/O: its stack shows the I/O's waiters, and what should complete
    // the I/O (a device, a driver, a pool's I/O threads) is not on it
    if (report.kind === "hung-task" && waitsForIo(report.trace.filter((f) => f.reliable))) return;
    // a module counts only through frames that are neither wait primitives it provides nor
    // debug hooks the kernel's reporting machinery called
    const reliable = all.filter((f) => f.reliable);
    const counted = new Set(
      [...new Set(all.map((f) => f.module).filter((m): m is string => !!m))].filter(
        (m) =>
          incriminating(reliable, m).length > 0 ||
          (!reliable.some((f) => f.module === m) && incriminating(all, m).length > 0),
      ),
    );
    const frames = all.filter((f) => f.module && counted.has(f.module));
    const onStack = new Map<string, { line: number; reliable: boolean }>();
    for (const frame of frames) {
      if (!frame.module || !flagged.has(frame.module)) continue;
      const seen = onStack.get(frame.module);
      if (!seen || (!seen.reliable && frame.reliable))
        onStack.set(frame.module, { line: frame.line, reliable: frame.reliable });
    }
    for (const [name, { line, reliable }] of onStack) {
      const flags = flagged.get(name) ?? "";
      const why = [...flags].map((f) => moduleFlagMeanings[f] ?? f).join(", ");
      if (!reliable) {
        ctx.finding(
          `Module ${name} (${flags}: ${why}) appears on the stack only in unreliable (?) entries, which may be stale.`,
          [...ctx.evidence(line), ...ctx.evidence(flagsLine(name))],
          { module: name, flags, onStack: false, unreliable: true },
        );
        continue;
      }
      const where =
        report.ip?.module === name ? "the crash happened inside it" : "it is on the crashing stack";
      ctx.finding(
        `Module ${name} (${flags}: ${why}) is not part of the kernel's tested code and ${where}: suspect it first.`,
        [...ctx.evidence(line), ...ctx.evidence(flagsLine(name))],
        { module: name, flags, onStack: true },
      );
    }
    // A module whose flags the text does not show is no suspect: reports printed by
    // dump_stack() (hung tasks, lockups) list no modules, and a kernel tainted O/E/P says
    // some module is out of tree, not which. Naming the innermost module on the stack named
    // in-tree btrfs, xfs and kvm on real pastes (220, 221, 233): evidence or silence.
  },
};
