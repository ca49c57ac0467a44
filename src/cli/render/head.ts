/**
 * @module cli/render/head
 * The head of a report, shared by the screen-sized default and the full write-up: the title,
 * then one labelled line each for what it is, where the CPU was, which task and kernel, the
 * stack in one line, and the culprit — or why none is named. A line whose facts the text does
 * not give is left out, never printed empty or as "?".
 */

import { isSkippedFrame } from "../../diagnose/culprit/skip-frames.js";
import type { DiagnosedReport } from "../../diagnose/index.js";
import { baseSymbol, symbolWithModule } from "../../oops/fields/location.js";
import type { Frame, Kind } from "../../oops/report.js";
import { displayTitle, formatLocation } from "./summary.js";

export interface Style {
  heading(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
  mark(text: string): string;
  code(text: string): string;
  /** a block of verbatim lines */
  block(lines: string[]): string[];
  /** one labelled fact of the head: "   where:   …" on a terminal, "- **where:** …" in Markdown */
  fact(label: string, text: string): string;
  /** one quoted input line under a bullet, cut to the terminal's width where there is one */
  quote(text: string): string;
  bullet: string;
  indent: string;
}

export const KIND_WORDS: Record<Kind, string> = {
  "null-deref": "NULL pointer dereference",
  "paging-request": "bad kernel memory access",
  "general-protection": "general protection fault",
  "kernel-bug": "kernel BUG (a failed assertion)",
  warning: "kernel WARNING",
  "soft-lockup": "soft lockup (a CPU stuck in the kernel)",
  "hard-lockup": "hard lockup (a CPU stuck with interrupts off)",
  "rcu-stall": "RCU stall",
  "hung-task": "hung task",
  kasan: "memory-safety bug caught by a sanitizer",
  ubsan: "undefined behaviour",
  "list-corruption": "linked-list corruption",
  "divide-error": "division by zero",
  "invalid-opcode": "invalid opcode",
  "double-fault": "double fault",
  "stack-overflow": "kernel stack overflow",
  oom: "out of memory",
  panic: "kernel panic",
  other: "kernel error",
};

/** "#1 <title>", with "(report incomplete: why)" when the report is damaged */
export function titleLine(report: DiagnosedReport, index: number, style: Style): string {
  const damaged = report.corrupted
    ? style.dim(
        ` (report incomplete${report.corruptedReason ? `: ${report.corruptedReason}` : ""})`,
      )
    : "";
  return `${style.bold(`#${index + 1} ${displayTitle(report)}`)}${damaged}`;
}

function whatLine(report: DiagnosedReport): string {
  const span = `input ${spanText(report.lines)}`;
  const panic = report.panic ? `; then Kernel panic - not syncing: ${report.panic.message}` : "";
  return `${KIND_WORDS[report.kind]} [${report.kind}], ${span}${panic}`;
}

function whereLine(report: DiagnosedReport, style: Style, verbose: boolean): string | undefined {
  const { ip, instruction } = report;
  if (!ip) return undefined;
  const address = verbose && ip.symbol && ip.address ? ` (${ip.address})` : "";
  const at = instruction && !verbose ? ` at ${style.code(instruction.text)}` : "";
  const fault = report.faultAddress ? `, fault address ${report.faultAddress}` : "";
  return `${formatLocation(ip)}${address}${at}${fault}`;
}

function taskText(report: DiagnosedReport): string | undefined {
  const { task } = report;
  const parts = [
    task.comm !== undefined ? `"${task.comm}"` : undefined,
    task.pid !== undefined ? `pid ${task.pid}` : undefined,
    task.cpu !== undefined ? `CPU ${task.cpu}` : undefined,
    task.workqueue ? `workqueue ${task.workqueue}` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : undefined;
}

function kernelText(report: DiagnosedReport, withHardware: boolean): string | undefined {
  const k = report.kernel;
  // "not tainted" only when a line said so: a release taken from a crash session says nothing
  const notTainted = report.sourceLines["kernel.notTainted"] ? "not tainted" : undefined;
  const parts = [
    k.release,
    k.tainted ? `tainted ${k.tainted}` : notTainted,
    withHardware && k.hardware ? `on ${k.hardware}` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : undefined;
}

const frameName = (f: { symbol?: string; module?: string | null; context?: string }) =>
  `${symbolWithModule({ symbol: f.symbol ?? "?", module: f.module ?? null })}${
    f.context && f.context !== "task" ? ` <${f.context}>` : ""
  }`;

/**
 * The stack in one line, callers to the right: the reliable frames from where the CPU was,
 * starting one frame above the culprit when reporting machinery (dump_stack, the lock slow
 * paths…) sits on top of it, and stopping at about `chars` characters.
 */
export function stackOneLine(
  report: DiagnosedReport,
  style: Style,
  chars = 100,
): string | undefined {
  let frames: Frame[] = report.trace.filter((f) => f.reliable && f.symbol);
  // the stack starts where the CPU was, whether or not the unwinder printed that frame
  const ip = report.ip;
  if (ip?.symbol && frames[0]?.symbol !== ip.symbol)
    frames = [{ ...ip, reliable: true, context: frames[0]?.context ?? "task" }, ...frames];
  if (frames.length <= 1) return undefined;
  const culprit = report.culprit ? baseSymbol(report.culprit.symbol) : undefined;
  const at = frames.findIndex((f) => baseSymbol(f.symbol ?? "") === culprit);
  const firstReal = frames.findIndex((f) => !isSkippedFrame(baseSymbol(f.symbol ?? "")));
  const anchor = at >= 0 ? at : Math.max(firstReal, 0);
  const start = anchor > 1 ? anchor - 1 : 0;
  const names: string[] = [];
  let length = 0;
  for (const f of frames.slice(start)) {
    const name = frameName(f);
    if (names.length >= 2 && length + name.length > chars) break;
    length += name.length + 3;
    names.push(
      culprit !== undefined && baseSymbol(f.symbol ?? "") === culprit ? style.bold(name) : name,
    );
  }
  const before = start > 0 ? `… (${start} above) ← ` : "";
  const rest = frames.length - start - names.length;
  const after = rest > 0 ? ` ← … (${rest} more)` : "";
  return `${before}${names.join(" ← ")}${after}`;
}

/** "sym [module] — reason", or "none — the diagnosis's reason" */
export function culpritText(report: DiagnosedReport, style: Style): string {
  const c = report.culprit;
  if (c) return `${style.bold(symbolWithModule(c))} — ${c.reason}`;
  const reason = report.noCulprit?.trim();
  return reason ? `none — ${reason}` : "none named";
}

/** "input lines 3-9", "input line 9" */
export function spanText(span: { start: number; end: number }): string {
  return span.start === span.end ? `line ${span.start}` : `lines ${span.start}-${span.end}`;
}

/** 67579904 kB → "64.4 GiB" */
function sizeText(kb: number): string {
  const units = ["kB", "MiB", "GiB", "TiB"];
  let value = kb;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

const OOM_SCOPE_WORDS = {
  global: "the whole machine ran out",
  memcg: "a memory cgroup hit its limit",
  cpuset: "the nodes of a cpuset ran out",
  mempolicy: "the nodes of a memory policy ran out",
} as const;

/**
 * An OOM kill in one line: whose limit, who was killed and how big it was, who asked.
 * Only what the report's lines state; a cut paste gives fewer parts.
 */
export function oomText(report: DiagnosedReport): string | undefined {
  const oom = report.oom;
  if (!oom) return undefined;
  const parts: string[] = [];
  if (oom.scope) {
    const cgroup = oom.scope.value === "memcg" && oom.limitCgroup ? ` (${oom.limitCgroup})` : "";
    parts.push(`${OOM_SCOPE_WORDS[oom.scope.value]}${cgroup}`);
  }
  if (oom.memcgUsage)
    parts.push(
      `usage ${sizeText(oom.memcgUsage.usageKb)} of a ${sizeText(oom.memcgUsage.limitKb)} limit`,
    );
  const v = oom.victim;
  if (v) {
    const rss = v.anonRssKb !== undefined ? `, anon-rss ${sizeText(v.anonRssKb)}` : "";
    parts.push(`killed "${v.comm}" pid ${v.pid}${rss}`);
  }
  const i = oom.invoker;
  if (i) {
    const order = i.order !== undefined ? `, order ${i.order}` : "";
    parts.push(`asked by "${i.comm}" (gfp ${i.gfpFlags ?? i.gfpMask}${order})`);
  }
  if (oom.swap?.totalKb === 0) parts.push("no swap");
  else if (oom.swap?.freeKb === 0) parts.push("swap full");
  return parts.length ? parts.join("; ") : undefined;
}

/**
 * The head's fact lines. The default packs task, CPU and release in one line and adds the
 * stack in one line and the faulting instruction; the write-up gives the kernel its own line
 * (with the hardware) and shows the instruction and stack in their sections.
 */
export function headLines(report: DiagnosedReport, style: Style, verbose: boolean): string[] {
  const out = [style.fact("what", whatLine(report))];
  const where = whereLine(report, style, verbose);
  if (where) out.push(style.fact("where", where));
  const task = taskText(report);
  const kernel = kernelText(report, verbose);
  if (verbose) {
    if (task) out.push(style.fact("task", task));
    if (kernel) out.push(style.fact("kernel", kernel));
  } else if (task || kernel) {
    const text = [task, kernel && `kernel ${kernel}`].filter(Boolean).join("; ");
    out.push(style.fact(task ? "task" : "kernel", task ? text : (kernel as string)));
  }
  const oom = oomText(report);
  if (oom) out.push(style.fact("oom", oom));
  if (!verbose) {
    const stack = stackOneLine(report, style);
    if (stack) out.push(style.fact("stack", stack));
  }
  out.push(style.fact("culprit", culpritText(report, style)));
  return out;
}
