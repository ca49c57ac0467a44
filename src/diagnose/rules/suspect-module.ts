/**
 * @module diagnose/rules/suspect-module
 * Out-of-tree, unsigned, proprietary or vendor-flagged modules: on the crashing stack they
 * are the first suspects; loaded but not on the stack they are context.
 */
import { moduleFlagMeanings } from "../../oops/fields/taints.js";
import type { Rule } from "../types.js";

/** Module flags that put a module outside the kernel's own code. */
const SUSPECT_FLAGS = /[POEUFCX]/;

export const suspectModule: Rule = {
  meta: {
    id: "suspect-module",
    type: "problem",
    description:
      "an out-of-tree / unsigned / proprietary / vendor-flagged module is on the stack or loaded",
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
    const loaded = [...flagged].filter(([name]) => !onStack.has(name));
    // (modules seen only in unreliable frames were reported above)
    if (loaded.length > 0) {
      ctx.finding(
        `Also loaded: ${loaded.map(([n, f]) => `${n}(${f})`).join(", ")}, outside the kernel's tested code but not on the crashing stack.`,
        ctx.evidence(report.sourceLines.modules),
        { modules: loaded.map(([name, flags]) => ({ name, flags })), onStack: false },
      );
    }
    if (
      flagged.size === 0 &&
      report.kernel.taints.some((t) => t.letter === "O" || t.letter === "E" || t.letter === "P")
    ) {
      const letters = report.kernel.taints
        .filter((t) => "OEP".includes(t.letter))
        .map((t) => t.letter);
      ctx.finding(
        `The kernel is tainted ${letters.join("")}: out-of-tree or unsigned modules were loaded, though none is named here.`,
        ctx.evidence(report.sourceLines["kernel.tainted"]),
        { taints: letters, onStack: false },
      );
    }
  },
};
