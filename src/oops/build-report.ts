/**
 * @module oops/build-report
 * Turns one report segment into a `Report`: the title from the syzkaller-compatible view of
 * the text, then every field the lines hold (registers, RIP, task, kernel, code, trace,
 * modules, panic), each with the line it was read from.
 */
import type { KernelLine } from "../text/kernel-line.js";
import { archSpecs } from "./arch/index.js";
import { decodeErrorCode, PANIC_LINE, parseFaultAddress } from "./fields/fault.js";
import { type Draft, END_MARKER, handlers } from "./fields/handlers.js";
import { MODULES_LINE, parseModules } from "./fields/modules.js";
import { parseOomFacts } from "./fields/oom.js";
import { ARM_NAMED_FRAME, parseFrameLine, refineSoftirq } from "./fields/trace.js";
import type { Arch, Kind, Report } from "./report.js";
import { contextOf, type Segment } from "./segment.js";
import { describe } from "./title/describe.js";
import { reportText } from "./title/report-text.js";

/**
 * Lines just before a header that belong to its report: the "cut here" marker and the
 * messages printed just before a BUG() or WARN() (list debugging, refcount_t).
 */
const LEAD_IN =
  /-+\[ cut here \]-+|^\s*list_(?:add|del) corruption|^\s*refcount_t(?:: | (?:hit zero|overflow|underflow|saturated)\b)|^\s*(?:sysrq: )?Trigger a crash/;
/** A lead-in line a mail client wrapped: the wrapped part is a line of its own, above it. */
const WRAPPED_LEAD_IN = /^\s*list_(?:add|del) corruption.*\b(?:was|be)$/;
// (KFENCE heads its stack with the access: "Use-after-free read at 0x… (in kfence-#52):")
const STACK_START =
  /^\s*(?:Call [Tt]race|Backtrace|stack backtrace)\s*:?\s*$|^\s*Call [Tt]race:|\b(?:registered|became \S+) at:\s*$|\(in kfence-#\d+\):\s*$/;
/** Headings of another task's stack printed inside a report: an RCU stall dumps its
 * grace-period kthread, which only waits for the stalled CPU. */
const FOREIGN_STACK = /\bRCU grace-period kthread stack dump:/;
/** Lines inside a listing that are not frames but do not end it (arm register notes, dumps,
 * powerpc's first stack slot "0xc0000001e0957890 (unreliable)"). */
const TRACE_NOISE =
  /^\s*(?:r\d{1,2}:[0-9a-f]{8}\s*)+$|^\s*Exception stack\(|^\s*[0-9a-f]{3,4}:(?: [0-9a-f]{8}| {9})+\s*$|^\s*(?:\[[0-9a-f]+\]\s*)*0x[0-9a-f]+ \(unreliable\)\s*$/;
const ARM_FRAME = /^\s*\[<[0-9a-f]{8}>\] \([\w.]+(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?\) from \[</;
/** A "Modules linked in:" list wrapped onto the next line: module names only. */
const MODULE_CONTINUATION =
  /^\s*[\w-]+(?:\([A-Z+-]+\))?(?: [\w-]+(?:\([A-Z+-]+\))?){2,}(?: \[last unloaded: [\w-]+\])?\s*$/;

/** Refinements of the format's kind by what else the report says. */
const KIND_HINTS: ReadonlyArray<{ test: RegExp; from: readonly Kind[]; kind: Kind }> = [
  {
    test: /list_(?:add|del) corruption|list_debug\.c/,
    from: ["kernel-bug", "invalid-opcode", "warning", "general-protection"],
    kind: "list-corruption",
  },
  {
    test: /kernel stack overflow|stack guard page/,
    from: ["double-fault", "panic"],
    kind: "stack-overflow",
  },
  {
    // arm and arm64 print both kinds under one header
    test: /^[^\n]*Unable to handle kernel NULL pointer dereference/,
    from: ["paging-request"],
    kind: "null-deref",
  },
  {
    // s390 prints one header for every kernel fault; other architectures call a fault in the
    // first page a NULL dereference, and s390's "Failing address" (page-aligned) says which
    // (older kernels print it in lower case; a mail may have wrapped the header)
    test: /^[^\n]*Unable to handle kernel pointer dereference in(?:[^\n]*\n){1,6}?[^\n]*failing address: 0{13}[0-9a-f]{3}\b/i,
    from: ["paging-request"],
    kind: "null-deref",
  },
  {
    // x86's die() line without the fault line before it: CR2 holds the faulting address
    test: /^Oops: [0-9a-f]{4} (?:[^\n]*\n)+?CR2: 0{13}[0-9a-f]{3}\b/,
    from: ["other"],
    kind: "null-deref",
  },
  {
    test: /^Oops: [0-9a-f]{4} (?:[^\n]*\n)+?CR2: [0-9a-f]{16}\b/,
    from: ["other"],
    kind: "paging-request",
  },
  {
    // powerpc names the address: the first page is a NULL dereference
    test: /^[^\n]*Unable to handle kernel paging request for (?:data|instruction fetch) at address 0x0*[0-9a-f]{1,3}\b/,
    from: ["paging-request"],
    kind: "null-deref",
  },
  {
    // arm's die() line gives the fault status: translation and permission faults are page faults
    test: /^[^\n]*Internal error: Oops: [0-9a-f]{0,2}[57df] \[#/,
    from: ["other"],
    kind: "paging-request",
  },
  {
    // arm64's die() line gives the ESR: class 0x25/0x24 (data abort) with a translation
    // (0x04-0x07), access-flag (0x09-0x0b) or permission (0x0d-0x0f) fault status is a
    // page fault, as the "Unable to handle kernel paging request" line would have said
    test: /^[^\n]*Internal error: Oops: (?:0{8})?9[26]0000(?:0[4-7]|0[9a-b]|0[d-f]|4[4-7]|4[d-f]) \[#/,
    from: ["other"],
    kind: "paging-request",
  },
  {
    // powerpc's die() reason for a kernel fault on a bad address
    test: /^Oops: [Kk]ernel access of bad area/,
    from: ["other"],
    kind: "paging-request",
  },
  {
    // arm and arm64 name the trap in "Internal error: Oops - <reason>": BUG() and undefined
    // instructions have kinds of their own
    test: /Internal error: Oops - BUG\b/,
    from: ["other"],
    kind: "kernel-bug",
  },
  {
    test: /Internal error: Oops - undefined instruction/,
    from: ["other"],
    kind: "invalid-opcode",
  },
];

/**
 * The line belongs to the report's printk context. A line without a timestamp inside a
 * timestamped console report is one whose prefix the paste lost (a mail's wrapped line), not
 * another task's: only printk caller ids tell tasks apart.
 */
function inContext(line: KernelLine, context: string): boolean {
  const own = contextOf(line);
  return own === context || (own === "" && context === "console");
}

function emptyReport(segment: Segment, header: KernelLine): Report {
  const report: Report = {
    kind: "other",
    title: "",
    altTitles: [],
    corrupted: false,
    lines: { start: header.no, end: header.no },
    arch: "unknown",
    header: { text: header.text.slice(segment.headerPos).trim(), line: header.no },
    kernel: { taints: [] },
    task: {},
    registers: {},
    trace: [],
    modules: [],
    warnings: [],
    sourceLines: { header: header.no },
  };
  if (header.time !== undefined) report.timestamp = header.time;
  return report;
}

/** Facts the header line itself states: who, where, which address. */
function readHeader(draft: Draft, header: KernelLine): void {
  const { report } = draft;
  const text = report.header.text;
  const fault = parseFaultAddress(text);
  if (fault) {
    report.faultAddress = fault;
    report.sourceLines.faultAddress = header.no;
  }
  const lockup = /CPU#(\d+) stuck for \d+s! \[(.+):(\d+)\]/.exec(text);
  if (lockup) {
    report.task = { cpu: Number(lockup[1]), comm: lockup[2] as string, pid: Number(lockup[3]) };
  }
  const hung = /task (\S+?):(\d+) (?:blocked|can't die) for more than/.exec(text);
  if (hung) report.task = { comm: hung[1] as string, pid: Number(hung[2]) };
  const assertion =
    /(?:kernel BUG|WARNING: CPU: \d+ PID: \d+|WARNING:) at ([\w./-]+):(\d+)(?: ([\w.]+)\+0x[\da-f]+\/0x[\da-f]+(?: \[([\w-]+)\])?)?/.exec(
      text,
    );
  if (assertion) {
    const [, file, line, fn, module] = assertion;
    report.assertion = { file: file as string, line: Number(line) };
    if (fn) report.assertion.function = fn;
    if (module) report.assertion.module = module;
  }
  const panic = PANIC_LINE.exec(text);
  if (panic) report.panic = { message: (panic[1] as string).trim(), line: header.no };
  const warnTask = /WARNING: CPU: (\d+) PID: (\d+) at/.exec(text);
  if (warnTask) report.task = { cpu: Number(warnTask[1]), pid: Number(warnTask[2]) };
  for (const key of Object.keys(report.task)) report.sourceLines[`task.${key}`] = header.no;
}

function readTrace(text: string, line: KernelLine, draft: Draft): boolean {
  if (FOREIGN_STACK.test(text)) {
    // another task's listing: read through it, keep none of its frames as the report's
    draft.inTrace = true;
    draft.traces++;
    draft.traceState = { context: "task" };
    return true;
  }
  if (STACK_START.test(text)) {
    draft.inTrace = true;
    // the first listing with frames is the report's stack; later ones (alloc/free) are not
    if (draft.report.trace.length > 0) draft.traces++;
    draft.traceState = { context: "task" };
    return true;
  }
  // arm prints its "(callee) from (caller)" frames after the stack dump with no heading (since
  // 5.x without addresses: "callee from caller+0x1c/0x24")
  if (
    !draft.inTrace &&
    draft.report.trace.length === 0 &&
    (ARM_FRAME.test(text) || ARM_NAMED_FRAME.test(text.trim()))
  )
    draft.inTrace = true;
  if (!draft.inTrace) return false;
  const frames = parseFrameLine(text, line.no, draft.traceState);
  if (!frames) {
    if (TRACE_NOISE.test(text)) return true;
    draft.inTrace = false;
    return false;
  }
  if (draft.traces === 0) draft.report.trace.push(...frames);
  return true;
}

function detectArch(draft: Draft): Arch {
  if (draft.arch) return draft.arch.id;
  const release = draft.report.kernel.release;
  const byRelease = release ? archSpecs.find((a) => a.release.test(release)) : undefined;
  if (byRelease) return byRelease.id;
  const address = draft.report.trace.find((f) => f.address)?.address;
  if (address) return address.length > 10 ? "x86_64" : "i386";
  return "unknown";
}

function finishErrorCode(draft: Draft): void {
  const { report } = draft;
  // the Oops code is a page-fault error code only for faults from the page-fault handler
  const isPageFault = report.kind === "null-deref" || report.kind === "paging-request";
  if (!draft.oopsCode || !isPageFault || (report.arch !== "x86_64" && report.arch !== "i386"))
    return;
  report.errorCode = decodeErrorCode(
    draft.oopsCode.value,
    draft.pfDescription.join("; ") || undefined,
  );
  report.sourceLines.errorCode ??= draft.oopsCode.line;
}

/** headers of OOM-killer lines whose reports carry OOM facts (panic_on_oom panics too) */
const OOM_HEADER = /oom-kill|out of memory/i;

/** An OOM kill's facts, from the report's own lines; its last fact line ends its body. */
function readOom(report: Report, lines: readonly KernelLine[], context: string): void {
  if (report.kind !== "oom" && !OOM_HEADER.test(report.header.text)) return;
  const facts = parseOomFacts(
    lines.filter((l) => inContext(l, context)).map((l) => ({ line: l.no, text: l.text })),
  );
  if (!facts) return;
  report.oom = facts;
  const factLines = [facts.invoker, facts.victim, facts.memcgUsage, facts.scope, facts.swap].map(
    (f) => f?.line ?? 0,
  );
  report.lines.end = Math.max(report.lines.end, ...factLines);
}

/** Builds the report for a segment closed by the segmenter. */
export function buildReport(segment: Segment): Report {
  const header = segment.lines[segment.headerIndex] as KernelLine;
  const report = emptyReport(segment, header);
  const text = reportText(segment);
  const description = describe(text.title, segment.group, text.full);
  report.title = description.title;
  report.altTitles = description.altTitles;
  // no row matched: the group's last row, its catch-all, says what the header means
  report.kind = description.format?.kind ?? segment.group.formats.at(-1)?.kind ?? "other";
  if (description.corrupted) {
    report.corrupted = true;
    report.corruptedReason = description.corrupted;
  }
  if (segment.capped)
    report.warnings.push(
      `report is longer than ${segment.lines.length} lines; the rest was not read`,
    );

  const draft: Draft = {
    report,
    userMode: false,
    registerBlock: "none",
    traceState: { context: "task" },
    inTrace: false,
    traces: 0,
    pfDescription: [],
    lastBodyLine: header.no,
  };
  readHeader(draft, header);

  // lead-in lines right before the header ("cut here", "list_del corruption, …")
  for (let i = segment.headerIndex - 1; i >= 0; i--) {
    let line = segment.lines[i] as KernelLine;
    const above = segment.lines[i - 1];
    if (!LEAD_IN.test(line.text) && above && WRAPPED_LEAD_IN.test(above.text)) {
      line = above;
      i--;
    }
    if (!LEAD_IN.test(line.text) || contextOf(line) !== segment.context) break;
    report.lines.start = line.no;
    report.leadIn = [{ line: line.no, text: line.text.trim() }, ...(report.leadIn ?? [])];
  }

  const end = segment.fieldEnd ?? segment.lines.length;
  let afterModules = false;
  for (let i = segment.headerIndex + 1; i < end; i++) {
    const line = segment.lines[i] as KernelLine;
    // long module lists wrap onto lines of their own, without a printk prefix
    if (afterModules && line.time === undefined && MODULE_CONTINUATION.test(line.text)) {
      report.modules.push(...parseModules(line.text));
      continue;
    }
    afterModules = MODULES_LINE.test(line.text);
    if (!inContext(line, segment.context)) continue;
    const text = line.text;
    let used = readTrace(text, line, draft);
    if (!used) {
      for (const handler of handlers) {
        if (handler(text, line, draft)) {
          used = true;
          break;
        }
      }
    }
    if (!used && draft.registerBlock === "reading") draft.registerBlock = "done";
    if (used || END_MARKER.test(text)) draft.lastBodyLine = line.no;
  }
  report.lines.end = draft.lastBodyLine;
  readOom(report, segment.lines.slice(segment.headerIndex, end), segment.context);
  if (
    draft.registerBlock !== "none" &&
    report.ip &&
    draft.arch?.id === "x86_64" &&
    report.ip.address
  ) {
    report.registers.rip ??= report.ip.address;
  }
  refineSoftirq(report.trace);
  report.arch = detectArch(draft);
  const body = segment.lines
    .slice(segment.headerIndex, end)
    .map((l) => l.text)
    .join("\n");
  const hint = KIND_HINTS.find((h) => h.from.includes(report.kind) && h.test.test(body));
  if (hint) report.kind = hint.kind;
  finishErrorCode(draft);
  return report;
}
