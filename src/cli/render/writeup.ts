/**
 * @module cli/render/writeup
 * The full write-up (`analyze --verbose`), shaped like an engineer's: the head (what, where,
 * task, kernel, culprit), the evidence (every input line a finding cites), the decoded
 * instruction listing, every finding, other suspects, next steps and the whole stack. A
 * section with nothing to say is left out, and nothing the head says is said again. The same
 * structure renders for a terminal or as Markdown for a ticket.
 */
import type { DiagnosedReport } from "../../diagnose/index.js";
import { baseSymbol } from "../../oops/fields/location.js";
import { titleFrame } from "../../oops/title/sanitize.js";
import { headLines, type Style, titleLine } from "./head.js";
import { formatLocation } from "./summary.js";

export type { Style } from "./head.js";

/** Every line a finding cites, once, in input order: none is cut, so each finding has its lines. */
function evidenceLines(report: DiagnosedReport): Array<{ line: number; text: string }> {
  const seen = new Map<number, string>();
  for (const finding of report.findings) for (const e of finding.evidence) seen.set(e.line, e.text);
  return [...seen.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([line, text]) => ({ line, text: text.trim() }));
}

/** "lines 1, 9, 11" */
export function citedLines(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  return `${sorted.length === 1 ? "line" : "lines"} ${sorted.join(", ")}`;
}

/**
 * The reliable frames (or the "?" ones when there is no other), numbered, the culprit marked,
 * a frame printed twice in a row folded into one.
 */
function traceLines(report: DiagnosedReport, style: Style): string[] {
  const named = report.culprit?.symbol ?? titleFrame(report.title);
  const marked = named === undefined ? undefined : baseSymbol(named);
  const reliable = report.trace.filter((f) => f.reliable);
  // with no reliable frame, the "?" entries are all the stack there is: show them as such
  const frames = reliable.length > 0 ? reliable : report.trace;
  const rows: Array<{ text: string; mark: boolean; times: number }> = [];
  for (const f of frames) {
    const text = `${f.reliable ? "" : "? "}${formatLocation(f)}${f.context === "task" ? "" : ` <${f.context}>`}`;
    const last = rows[rows.length - 1];
    if (last?.text === text) last.times++;
    else
      rows.push({
        text,
        mark: f.symbol !== undefined && baseSymbol(f.symbol) === marked,
        times: 1,
      });
  }
  // numbered, as crash's `bt` does: a function the stack holds twice is two distinct lines
  const width = String(rows.length - 1).length;
  const out = rows.map(({ text, mark, times }, i) => {
    const shown = `#${String(i).padEnd(width)} ${times > 1 ? `${text} (×${times})` : text}`;
    return mark ? `${style.mark("→")} ${style.bold(shown)}` : `  ${shown}`;
  });
  const hidden = report.trace.length - frames.length;
  if (hidden > 0) out.push(`  ${style.dim(`(${hidden} unreliable "?" entries not shown)`)}`);
  return out;
}

export function renderWriteup(report: DiagnosedReport, index: number, style: Style): string {
  const out: string[] = [titleLine(report, index, style), ...headLines(report, style, true)];
  const section = (name: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push("", style.heading(name), ...lines);
  };
  section(
    "Evidence",
    style.block(evidenceLines(report).map((e) => `line ${String(e.line).padStart(5)}: ${e.text}`)),
  );
  const instruction = report.instruction;
  if (instruction?.listing) {
    section(
      "Faulting instruction (decoded from the Code: line)",
      style.block(instruction.listing.split("\n")),
    );
  } else if (instruction) {
    const source = instruction.source ? ` at ${instruction.source}` : "";
    const from = instruction.from === "disassembly" ? " (from crash's disassembly)" : "";
    section(`Faulting instruction${from}`, [
      `${style.indent}${style.code(instruction.text)}${source}`,
    ]);
  }
  section(
    "Findings",
    report.findings.map(
      (f, i) =>
        `${style.indent}${i + 1}. ${f.summary} ${style.dim(`[${f.id}; ${citedLines(f.evidence.map((e) => e.line))}]`)}`,
    ),
  );
  const others = new Set<string>();
  for (const f of report.findings) {
    const module = f.id === "suspect-module" ? f.data?.module : undefined;
    if (typeof module === "string" && module !== report.culprit?.module) {
      const flags = typeof f.data?.flags === "string" && f.data.flags ? ` (${f.data.flags})` : "";
      others.add(`${style.indent}${style.bullet}module ${module}${flags}`);
    }
  }
  section("Other suspects", [...others]);
  section("Known bugs", knownBugLines(report, style));
  section(
    "Next steps",
    report.nextSteps.map((s) => `${style.indent}${style.bullet}${s}`),
  );
  section(
    "Stack",
    traceLines(report, style).map((l) => `${style.indent}${l}`),
  );
  const notes = [...new Set(report.warnings)].map((w) => `${style.indent}${style.bullet}${w}`);
  const repeats = repeatsNote(report);
  if (repeats) notes.push(`${style.indent}${style.bullet}${repeats}`);
  section("Notes", notes);
  return out.join("\n");
}

/** What a verdict means for the reader, after the reason the index gives. */
const VERDICT_MEANS: Record<string, string> = {
  affected: "this kernel lacks the fix",
  fixed: "this kernel has the fix: probably a different bug, or a regression",
  unknown: "",
};

/** The known upstream bugs this report may be (knowledge/known-bugs), best first. */
function knownBugLines(report: DiagnosedReport, style: Style): string[] {
  const out: string[] = [];
  // two records of one bug often share reasons and versions: a line the bug before printed
  // says so by number instead of again (no line twice)
  const lastSaid = new Map<string, number>();
  const say = (n: number, label: string, text: string) => {
    const key = `${label}: ${text}`;
    const last = lastSaid.get(key);
    lastSaid.set(key, n);
    return last === undefined ? key : `${label}: as for ${last}`;
  };
  (report.knownBugs ?? []).forEach((bug, i) => {
    const n = i + 1;
    const pad = `${style.indent}   `;
    out.push(
      `${style.indent}${n}. ${style.bold(bug.id)} ${bug.subject} ${style.dim(`[${bug.confidence}, score ${bug.score}]`)}`,
    );
    const means = VERDICT_MEANS[bug.verdict];
    out.push(
      `${pad}${say(n, "verdict", `${bug.verdict} — ${bug.verdictReason}${means ? `; ${means}` : ""}`)}`,
    );
    const fix = bug.fix
      ? `fix ${style.code(bug.fix.commit)} in ${bug.fix.version}`
      : "no fix listed";
    const fixed = bug.fixedIn.length ? `; fixed in ${bug.fixedIn.join(", ")}` : "";
    const introduced = bug.introducedIn.length
      ? `; introduced in ${bug.introducedIn.join(", ")}`
      : "";
    out.push(`${pad}${say(n, "versions", `${fix}${fixed}${introduced}`)}`);
    if (bug.matched.length)
      out.push(`${pad}${style.dim(say(n, "matched", bug.matched.join("; ")))}`);
  });
  return out;
}

/** One line for the default screen: the best known bug, when it is `exact` or `likely`. */
export function knownBugLine(report: DiagnosedReport): string | undefined {
  const bug = report.knownBugs?.[0];
  if (!bug || (bug.confidence !== "exact" && bug.confidence !== "likely")) return undefined;
  const fix = bug.fix ? `, fix ${bug.fix.commit} in ${bug.fix.version}` : "";
  // the claim names what it rests on: the strongest thing that matched
  const basis = bug.matched[0] ? `; matched ${bug.matched[0]}` : "";
  return `${bug.id} (${bug.confidence}) ${bug.subject}${fix}; this kernel: ${bug.verdict}${basis}`;
}

/** "printed again at lines 55, 93 and 4 more times", or nothing */
export function repeatsNote(report: DiagnosedReport): string | undefined {
  if (!report.repeats?.length) return undefined;
  const listed = report.repeats.slice(0, 10).map((r) => r.start);
  const more = (report.repeatCount ?? report.repeats.length) - listed.length;
  const tail = more > 0 ? ` and ${more} more time(s)` : "";
  return `printed again at ${listed.length === 1 ? "line" : "lines"} ${listed.join(", ")}${tail}`;
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
  fact: (label, text) => `- ${BOLD_MARK}${label}:${BOLD_MARK} ${text}`,
  quote: (text) => `  - ${text}`,
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
