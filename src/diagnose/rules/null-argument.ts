/**
 * @module diagnose/rules/null-argument
 * When the NULL register is an argument register of the faulting function and nothing in the
 * function changed it before the fault, the caller passed NULL. The blame moves to the caller
 * only when the faulting function is a core helper (built into the kernel), which trusts its
 * arguments; this rule decides that once (`data.blameCaller`) and the culprit follows it, so
 * the finding and the culprit cannot disagree.
 */
import { callingConventions } from "../../isa/index.js";
import { symbolWithModule } from "../../oops/fields/location.js";
import type { Rule } from "../types.js";
import { nullAccess } from "../util/null-access.js";
import { hex, isaOf, registerLine } from "../util/registers.js";

/** How far into a function a fault still counts as "on entry" when no listing says more. */
const EARLY_BYTES = 0x20;
const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th"];

export const nullArgument: Rule = {
  meta: {
    id: "null-argument",
    type: "problem",
    description:
      "the NULL register is an argument of the faulting function and the caller passed it",
  },
  run(ctx) {
    const { report, instruction } = ctx;
    const ip = report.ip;
    // the NULL base must explain the fault address, or the caller is blamed on a guess
    const access = nullAccess(report, instruction);
    // a small non-zero value (0x3) is a corrupted pointer, not a NULL anyone passed
    if (!access?.isNull || !ip?.symbol || instruction?.trapOnly) return;
    const { base, baseValue: value } = access;
    const isa = isaOf(report);
    const convention = isa && callingConventions[isa];
    if (!convention) return;
    const position = convention.args.indexOf(base);
    if (position === -1) return;
    // unchanged since entry: the listing shows no write to it, or the fault is right at entry
    const partial = instruction?.writtenBeforePartial === true;
    const written = instruction?.writtenBefore;
    if (written?.includes(base)) return;
    const unchanged =
      written && !partial ? true : (ip.offset ?? Number.POSITIVE_INFINITY) <= EARLY_BYTES;
    if (!unchanged) return;
    const caller = report.trace.find((f) => f.reliable && f.symbol && f.symbol !== ip.symbol);
    const callerText = caller ? symbolWithModule(caller) : "its caller";
    const blameCaller = !ip.module;
    const verdict = blameCaller
      ? `, so the blame is on the caller (${ip.symbol} is a core helper that trusts its argument)`
      : "";
    const how =
      written && !partial
        ? "the function had not changed it before the fault"
        : `the fault is at +${hex(ip.offset ?? 0)}, at entry`;
    ctx.finding(
      `${base} is the ${ORDINALS[position]} argument of ${ip.symbol} (${convention.name}) and ${how}: ${callerText} passed NULL (${hex(value)})${verdict}.`,
      [
        ...ctx.evidence(registerLine(report, base)),
        ...ctx.evidence(report.sourceLines.ip),
        ...ctx.evidence(caller?.line),
      ],
      {
        argument: position + 1,
        register: base,
        callee: ip.symbol,
        caller: caller?.symbol,
        callerModule: caller?.module ?? null,
        blameCaller,
      },
    );
  },
};
