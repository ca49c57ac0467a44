/**
 * @module diagnose/rules/bug-assertion
 * A BUG_ON()/WARN_ON() names its source line: says which assertion fired and, for well-known
 * sites, what it protects and what usually breaks it.
 */

import { findAssertionSite } from "../../knowledge/assertion-sites.js";
import { baseSymbol } from "../../oops/fields/location.js";
import type { Rule, RuleContext } from "../types.js";
import { isDebugHook } from "../util/bystander-frames.js";

/** Files whose WARN()/BUG() only reports what the caller did wrong (lib/refcount.c's
 * refcount_warn_saturate; kernel/panic.c's refcount_error_report for x86's fast refcount,
 * 4.13-5.4), matched by the reported site, not by the function. */
const REPORTER_SITES = /^(?:lib\/refcount\.c|kernel\/panic\.c)$/;

/** Headers whose VM_BUG_ON_*() assertions check pages, VMAs and mm structures alike. */
const SEVERAL_KINDS = /^include\/linux\/mm\.h$/;

/** The dumps printed just before a VM_BUG_ON_*() (mm/debug.c), by the object they show. */
const DUMPS: ReadonlyArray<{ object: string; macro: string; words: string; pattern: RegExp }> = [
  {
    object: "page",
    macro: "VM_BUG_ON_PAGE",
    words: "page",
    pattern:
      /\bpage dumped because: (VM_BUG_ON_(?:PAGE|FOLIO)\(.*\))|\bpage:\s*[0-9a-f]+ (?:refcount|count):/,
  },
  {
    object: "vma",
    macro: "VM_BUG_ON_VMA",
    words: "VMA",
    pattern: /\bvma [0-9a-f]+ start [0-9a-f]+ end [0-9a-f]+/,
  },
  {
    object: "mm",
    macro: "VM_BUG_ON_MM",
    words: "mm_struct",
    pattern: /\bmm [0-9a-f]+ (?:task_size|mmap) /,
  },
];

/** How far before the header a dump is looked for. */
const DUMP_LINES = 40;

function dumpBefore(
  ctx: RuleContext,
): { object: string; macro: string; words: string; line: number; check?: string } | undefined {
  const { report } = ctx;
  const lines = [
    ...(report.leadIn ?? []),
    ...Array.from({ length: DUMP_LINES }, (_, i) => report.header.line - 1 - i).flatMap((no) =>
      ctx.evidence(no),
    ),
  ];
  for (const { line, text } of lines) {
    for (const d of DUMPS) {
      const m = d.pattern.exec(text);
      if (!m) continue;
      const out: { object: string; macro: string; words: string; line: number; check?: string } = {
        ...d,
        line,
      };
      if (m[1]) out.check = m[1];
      return out;
    }
  }
  return undefined;
}

/**
 * A source path as the kernel tree names it: builds outside the tree print their own prefix
 * ("/build/linux-8fxPc5/linux-4.9.6/lib/list_debug.c" → "lib/list_debug.c").
 */
function sourcePath(file: string): string {
  return (
    /(?:^|\/)linux-[^/]*\/((?:arch|block|crypto|drivers|fs|include|init|io_uring|ipc|kernel|lib|mm|net|rust|security|sound|virt)\/.*)$/.exec(
      file,
    )?.[1] ?? file
  );
}

/** The first line of the report (lead-in included) that contains `text`. */
function lineNaming(ctx: RuleContext, text: string): { line: number; text: string } | undefined {
  const { report } = ctx;
  const lead = (report.leadIn ?? []).find((l) => l.text.includes(text));
  if (lead) return lead;
  const end = Math.min(report.lines.end, report.lines.start + 60);
  for (let no = report.lines.start; no <= end; no++) {
    const [e] = ctx.evidence(no);
    if (e?.text.includes(text)) return e;
  }
  return undefined;
}

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
    // a reporter's WARN reports its caller's misuse: the site holds no invariant of its own,
    // and the message printed before it ("refcount_t: addition on 0; use-after-free.") says
    // what went wrong
    const file = sourcePath(assertion.file);
    if (REPORTER_SITES.test(file)) return;
    // a debug hook the reporting machinery called (a vendor hook that BUG()s when
    // __might_resched reports) crashes on purpose: the report before it is the problem
    const caller = report.trace.find((f) => f.reliable && f.symbol && baseSymbol(f.symbol) !== fn);
    if (report.ip && isDebugHook({ ...report.ip, reliable: true, context: "task" }, caller)) return;
    const where = `${file}:${assertion.line}${fn ? ` in ${fn}` : ""}`;
    // the line that names the site says which it was: "kernel BUG at" or "WARNING: … at" (list
    // debugging BUG()s or WARN()s depending on the kernel and its configuration)
    const siteLine = lineNaming(ctx, `${assertion.file}:${assertion.line}`);
    const kind = siteLine
      ? /\bWARNING:/.test(siteLine.text)
        ? "WARN_ON()"
        : "BUG_ON()"
      : report.kind === "warning"
        ? "WARN_ON()"
        : "BUG_ON()";
    const site = findAssertionSite(file, fn);
    const evidence = [
      ...ctx.evidence(siteLine?.line ?? report.header.line),
      ...ctx.evidence(report.sourceLines.ip),
    ];
    if (!site) {
      ctx.finding(
        `A ${kind} at ${where} fired: the condition checked at that line held. Read that line in the matching source to see the condition.`,
        evidence,
        { file, line: assertion.line, function: fn },
      );
      return;
    }
    // the dump printed before a VM_BUG_ON_*() says which object the check was about
    const dump = dumpBefore(ctx);
    if (site.protects.startsWith("page") && dump && dump.object !== "page") {
      ctx.finding(
        `A ${dump.macro}() at ${where} fired on the ${dump.words} dumped before it: a check of that ${dump.words}'s state failed. Read that line in the matching source to see the condition.`,
        [...evidence, ...ctx.evidence(dump.line)],
        { file, line: assertion.line, function: fn, object: dump.object },
      );
      return;
    }
    // a header that holds assertions on pages, VMAs and mms alike: without the page dump,
    // which one fired is not known
    if (site.protects.startsWith("page") && SEVERAL_KINDS.test(file) && !dump) {
      ctx.finding(
        `A ${kind} at ${where} fired; ${file} holds assertions on pages, VMAs and mm structures, and no dump before it says which one this is. Read that line in the matching source to see the condition.`,
        evidence,
        { file, line: assertion.line, function: fn },
      );
      return;
    }
    // a known check is quoted, for the releases whose source has it there (a page dump's
    // "page dumped because: VM_BUG_ON_PAGE(…)" is the check itself); otherwise only what the
    // file's assertions guard is known
    const check =
      dump?.check ??
      (site.check && (!site.checkIn || (fn !== undefined && site.checkIn.test(fn)))
        ? site.check
        : undefined);
    const what = check
      ? `The ${kind} at ${where} (${check}) checks that`
      : `The ${kind} at ${where} is one of the assertions there that check that`;
    ctx.finding(
      `${what} ${site.protects}. It usually fires when ${site.usualCause}.`,
      [...evidence, ...ctx.evidence(dump?.line)],
      {
        file,
        line: assertion.line,
        function: fn,
        check,
        nextStep: site.nextStep,
      },
    );
  },
};
