/**
 * @module diagnose/rules/bug-assertion
 * A BUG_ON()/WARN_ON() names its source line: says which assertion fired and, for well-known
 * sites, what it protects and what usually breaks it.
 */

import { findAssertionSite } from "../../knowledge/assertion-sites.js";
import { baseSymbol } from "../../oops/fields/location.js";
import type { Rule } from "../types.js";

export const bugAssertion: Rule = {
  meta: {
    id: "bug-assertion",
    type: "problem",
    description: "kernel BUG at file:line / BUG_ON: the assertion and what it protects",
  },
  run(ctx) {
    const { report } = ctx;
    const assertion = report.assertion;
    if (!assertion) return;
    const fn = report.ip?.symbol ? baseSymbol(report.ip.symbol) : undefined;
    const where = `${assertion.file}:${assertion.line}${fn ? ` in ${fn}` : ""}`;
    const kind = report.kind === "warning" ? "WARN_ON()" : "BUG_ON()";
    const site = findAssertionSite(assertion.file, fn);
    const evidence = [...ctx.evidence(report.header.line), ...ctx.evidence(report.sourceLines.ip)];
    if (!site) {
      ctx.finding(
        `A ${kind} at ${where} fired: the code found one of its own invariants broken. Read that line in the matching source to see the condition.`,
        evidence,
        { file: assertion.file, line: assertion.line, function: fn },
      );
      return;
    }
    // a known check is quoted; otherwise only what the file's assertions guard is known
    const what = site.check
      ? `The ${kind} at ${where} (${site.check}) checks that`
      : `The ${kind} at ${where} is one of the assertions there that check that`;
    ctx.finding(`${what} ${site.protects}. It usually fires when ${site.usualCause}.`, evidence, {
      file: assertion.file,
      line: assertion.line,
      function: fn,
      check: site.check,
      nextStep: site.nextStep,
    });
  },
};
