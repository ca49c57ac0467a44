/**
 * @module diagnose/rules/suspect-module
 * Out-of-tree, unsigned, proprietary or vendor-flagged modules on the crashing stack are the
 * first suspects. A module that is only loaded, or a taint letter alone, proves nothing about
 * this crash: naming it would be a guess (issue 8), so the rule stays silent then.
 */
import { moduleFlagMeanings } from "../../oops/fields/taints.js";
import type { Rule } from "../types.js";

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
    const frames = [
      ...(report.ip?.module ? [{ ...report.ip, reliable: true }] : []),
      ...report.trace,
    ];
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
          [...ctx.evidence(line), ...ctx.evidence(report.sourceLines.modules)],
          { module: name, flags, onStack: false, unreliable: true },
        );
        continue;
      }
      const where =
        report.ip?.module === name ? "the crash happened inside it" : "it is on the crashing stack";
      ctx.finding(
        `Module ${name} (${flags}: ${why}) is not part of the kernel's tested code and ${where}: suspect it first.`,
        [...ctx.evidence(line), ...ctx.evidence(report.sourceLines.modules)],
        { module: name, flags, onStack: true },
      );
    }
    // reports printed by dump_stack() (hung tasks, lockups) list no modules: a module on the
    // stack of a kernel tainted O/E/P may be the one the taint is about, and no more is known
    const taints = report.kernel.taints
      .filter((t) => "OEP".includes(t.letter))
      .map((t) => t.letter);
    const listed = new Set(report.modules.map((m) => m.name));
    if (taints.length === 0) return;
    const unlisted = new Map<string, number>();
    for (const frame of frames) {
      if (!frame.reliable || !frame.module || listed.has(frame.module)) continue;
      if (!unlisted.has(frame.module)) unlisted.set(frame.module, frame.line);
    }
    for (const [name, line] of unlisted) {
      ctx.finding(
        `Module ${name} is on the crashing stack and the kernel is tainted ${taints.join("")} (out-of-tree, unsigned or proprietary code loaded); this report lists no module flags, so whether ${name} is that code is not shown here.`,
        [...ctx.evidence(line), ...ctx.evidence(report.sourceLines["kernel.tainted"])],
        { module: name, onStack: true, flagsKnown: false, taints },
      );
    }
  },
};
