/**
 * @module diagnose/rules/crash-session-evidence
 * Facts from a pasted crash session that bear on the diagnosis: the exception frame's
 * registers, NULL members and function pointers in structure dumps, zeroed timer expiry.
 */
import { panicBacktrace } from "../../oops/crash-session/attach.js";
import type { StructDump } from "../../oops/crash-session/session.js";
import type { Rule } from "../types.js";

/** Members whose zero value is itself telling. */
const ZERO_MEANS: Record<string, string> = {
  expires: "the timer was (re)initialised and never armed",
  counter: "the count dropped to zero",
  refcount: "the reference count dropped to zero",
  qlen: "the queue is empty",
};

function notable(
  dump: StructDump,
): Array<{ field: string; value: string; note: string; line: number }> {
  const out: Array<{ field: string; value: string; note: string; line: number }> = [];
  for (const [field, value] of Object.entries(dump.fields)) {
    const line = dump.fieldLines[field] ?? dump.line;
    const leaf = field.split(".").at(-1) ?? field;
    const symbol = /^0x[0-9a-f]+ <([\w.]+)(?:\+\d+)?>$/.exec(value);
    if (value === "0x0" && /next|prev|ptr|base|head|list|sk|dev|page|func|ops/.test(leaf)) {
      out.push({ field, value, note: "NULL", line });
    } else if (symbol) {
      out.push({ field, value: symbol[1] as string, note: "points to the function", line });
    } else if (value === "0" && ZERO_MEANS[leaf]) {
      out.push({ field, value, note: ZERO_MEANS[leaf] as string, line });
    }
  }
  return out;
}

export const crashSessionEvidence: Rule = {
  meta: {
    id: "crash-session-evidence",
    type: "context",
    description: "facts from a pasted crash session that confirm or refute the diagnosis",
  },
  run(ctx) {
    const session = ctx.report.session;
    if (!session) return;
    const exception = panicBacktrace(session)?.exceptions[0];
    const nullRegisters = exception
      ? Object.entries(exception.registers)
          .filter(([, v]) => v === "0x0")
          .map(([k]) => k)
      : [];
    if (exception && nullRegisters.length > 0) {
      ctx.finding(
        `crash's exception frame at ${exception.symbol}${exception.offset !== undefined ? `+${exception.offset}` : ""} records ${nullRegisters.join(", ")} = 0 at the moment of the fault.`,
        ctx.evidence(exception.line),
        { exception: exception.symbol, nullRegisters },
      );
    }
    for (const dump of session.structs) {
      const facts = notable(dump);
      if (facts.length === 0) continue;
      const listed = facts.map((f) =>
        f.note === "NULL"
          ? `${f.field} = 0x0 (NULL)`
          : f.note === "points to the function"
            ? `${f.field} = ${f.value}`
            : `${f.field} = ${f.value} (${f.note})`,
      );
      ctx.finding(
        `crash session, \`${dump.expression}\`: ${listed.join(", ")}.`,
        facts.flatMap((f) => ctx.evidence(f.line)),
        {
          expression: dump.expression,
          fields: Object.fromEntries(facts.map((f) => [f.field, f.value])),
        },
      );
    }
  },
};
