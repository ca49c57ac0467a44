/**
 * @module cli/render/writeup
 * The diagnosis as a write-up shaped like an engineer's: a one-line verdict, what happened,
 * the evidence (input lines, registers, the decoded instruction), why, suspects, next
 * steps. The same structure renders for a terminal or as Markdown for a ticket.
 */
import type { DiagnosedReport } from "../../diagnose/index.js";
import { baseSymbol, symbolWithModule } from "../../oops/fields/location.js";
import type { Kind } from "../../oops/report.js";
import { titleFrame } from "../../oops/title/sanitize.js";
import { formatLocation } from "./summary.js";

export interface Style {
  heading(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
  mark(text: string): string;
  code(text: string): string;
  /** a block of verbatim lines */
  block(lines: string[]): string[];
  bullet: string;
  indent: string;
}

const KIND_WORDS: Record<Kind, string> = {
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

function verdict(report: DiagnosedReport): string {
  const where = report.ip?.symbol ? ` in ${symbolWithModule(report.ip)}` : "";
  const culprit = report.culprit;
  const blame = culprit ? `; culprit: ${symbolWithModule(culprit)} (${culprit.reason})` : "";
  const damaged = report.corrupted ? " (report incomplete)" : "";
  return `${KIND_WORDS[report.kind]}${where}${blame}${damaged}`;
}

function happened(report: DiagnosedReport): string[] {
  const out: string[] = [
    `${report.title} — ${report.kind}, input lines ${report.lines.start}-${report.lines.end}`,
  ];
  if (report.ip)
    out.push(
      `where: ${formatLocation(report.ip)}${report.ip.address ? ` (${report.ip.address})` : ""}`,
    );
  if (report.faultAddress) out.push(`fault address: ${report.faultAddress}`);
  const task = report.task;
  const who = [
    task.comm !== undefined ? `"${task.comm}"` : undefined,
    task.pid !== undefined ? `pid ${task.pid}` : undefined,
    task.cpu !== undefined ? `CPU ${task.cpu}` : undefined,
  ].filter(Boolean);
  if (who.length) out.push(`task: ${who.join(", ")}`);
  const k = report.kernel;
  // "not tainted" only when a line said so: a release taken from a crash session says nothing
  const notTainted = report.sourceLines["kernel.notTainted"] ? ", not tainted" : "";
  const taint = k.tainted ? `, tainted ${k.tainted}` : notTainted;
  if (k.release) out.push(`kernel: ${k.release}${taint}${k.hardware ? `, on ${k.hardware}` : ""}`);
  if (report.panic) out.push(`then: Kernel panic - not syncing: ${report.panic.message}`);
  return out;
}

/** Every line a finding cites, once, in input order: none is cut, so each "why" has its lines. */
function evidenceLines(report: DiagnosedReport): Array<{ line: number; text: string }> {
  const seen = new Map<number, string>();
  for (const finding of report.findings) for (const e of finding.evidence) seen.set(e.line, e.text);
  return [...seen.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([line, text]) => ({ line, text: text.trim() }));
}

function traceLines(report: DiagnosedReport, style: Style, max = 14): string[] {
  const named = report.culprit?.symbol ?? titleFrame(report.title);
  const marked = named === undefined ? undefined : baseSymbol(named);
  const frames = report.trace.filter((f) => f.reliable);
  const shown = frames.slice(0, max);
  const out = shown.map((f) => {
    const text = `${formatLocation(f)}${f.context === "task" ? "" : ` <${f.context}>`}`;
    return f.symbol !== undefined && baseSymbol(f.symbol) === marked
      ? `${style.mark("→")} ${style.bold(text)}`
      : `  ${text}`;
  });
  if (frames.length > shown.length) out.push(style.dim(`  … ${frames.length - shown.length} more`));
  return out;
}

export function renderWriteup(report: DiagnosedReport, index: number, style: Style): string {
  const out: string[] = [];
  const section = (name: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push("", style.heading(name), ...lines);
  };
  out.push(style.bold(`#${index + 1} ${verdict(report)}`));
  section(
    "What happened",
    happened(report).map((l) => `${style.indent}${l}`),
  );
  const evidence = evidenceLines(report);
  section(
    "Evidence",
    style.block(evidence.map((e) => `line ${String(e.line).padStart(5)}: ${e.text}`)),
  );
  if (report.instruction?.listing) {
    section(
      "Faulting instruction (decoded from the Code: line)",
      style.block(report.instruction.listing.split("\n")),
    );
  } else if (report.instruction) {
    section("Faulting instruction", [
      `${style.indent}${style.code(report.instruction.text)}${report.instruction.source ? ` at ${report.instruction.source}` : ""}`,
    ]);
  }
  section(
    "Why",
    report.findings.map(
      (f, i) => `${style.indent}${i + 1}. ${f.summary} ${style.dim(`[${f.id}]`)}`,
    ),
  );
  const suspects: string[] = [];
  if (report.culprit) {
    const c = report.culprit;
    suspects.push(
      `${style.indent}${style.mark("→")} ${style.bold(symbolWithModule(c))}: ${c.reason}`,
    );
  }
  for (const f of report.findings.filter(
    (f) => f.id === "suspect-module" && f.data?.module && f.data.module !== report.culprit?.module,
  )) {
    suspects.push(
      `${style.indent}${style.bullet}module ${String(f.data?.module)} (${String(f.data?.flags)})`,
    );
  }
  section("Suspects", suspects);
  section(
    "Next steps",
    report.nextSteps.map((s) => `${style.indent}${style.bullet}${s}`),
  );
  section(
    "Stack",
    traceLines(report, style).map((l) => `${style.indent}${l}`),
  );
  for (const warning of report.warnings) out.push(style.dim(`${style.indent}note: ${warning}`));
  return out.join("\n");
}

/**
 * Stands for Markdown's `**` until the output is escaped, so that the escaping of text from
 * the log (where `*` is literal) leaves crashlens's own emphasis alone.
 */
const BOLD_MARK = "\uE000";

export const markdownStyle: Style = {
  heading: (t) => `### ${t}`,
  bold: (t) => `${BOLD_MARK}${t}${BOLD_MARK}`,
  dim: (t) => `_${t}_`,
  mark: (t) => t,
  code: (t) => `\`${t}\``,
  block: (lines) => (lines.length ? ["```", ...lines, "```"] : []),
  bullet: "- ",
  indent: "",
};

/** Characters that make links, images, HTML, tables or emphasis in Markdown. */
const MARKDOWN_ACTIVE = /[\\[\]<>|*]/g;

/**
 * Markdown is pasted into tickets that render it: text from the log (a task name, a
 * hardware string, a panic message) must not become a link, an image or HTML. Outside code
 * blocks and code spans every active character is backslash-escaped.
 */
export function escapeMarkdown(text: string): string {
  let inBlock = false;
  return text
    .split("\n")
    .map((line) => {
      const fence = line.startsWith("```");
      if (fence) inBlock = !inBlock;
      if (fence || inBlock) return line;
      // odd parts are code spans, kept as they are
      return line
        .split(/(`[^`]*`)/)
        .map((part, i) => (i % 2 === 1 ? part : part.replace(MARKDOWN_ACTIVE, "\\$&")))
        .join("");
    })
    .join("\n")
    .replaceAll(BOLD_MARK, "**");
}
