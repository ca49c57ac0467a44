/**
 * @module cli/render/screen
 * `analyze`'s default: a report in one screen (≤ 25 lines for an input with one report).
 * The head (what, where, task and kernel, stack, culprit), the strongest findings each with
 * one line of its evidence, the next steps, and one line naming what `--verbose` adds. An
 * input with several reports gets the primary report's block, then one line per other report.
 */
import type { DiagnosedReport, Finding } from "../../diagnose/index.js";
import { rules } from "../../diagnose/rules/index.js";
import { symbolWithModule } from "../../oops/fields/location.js";
import { headLines, type Style, spanText, titleLine } from "./head.js";
import { displayTitle } from "./summary.js";
import { knownBugLine, repeatsNote } from "./writeup.js";

/** Lines of one input's default output at most, its heading line included. */
export const SCREEN_LINES = 25;
/** at most this many findings and next steps, even when the screen has room */
const MAX_FINDINGS = 3;
const MAX_STEPS = 3;
const MAX_NOTES = 2;
/** other reports listed one line each before "… and N more" */
const MAX_OTHERS = 5;
/** an evidence line longer than this is cut in the default output (--verbose prints it whole) */
const EVIDENCE_CHARS = 160;

/** problem findings (a cause or defect) before context, each group in the rules' order */
function strongestFirst(report: DiagnosedReport): Finding[] {
  const rank = (f: Finding) => (rules[f.id]?.meta.type === "problem" ? 0 : 1);
  // the head already shows the faulting instruction: its finding would say it again
  const shown = report.findings.filter(
    (f) => !(f.id === "faulting-instruction" && report.ip && report.instruction),
  );
  return shown
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

/** The evidence line shown under a finding: one not shown yet, preferring a short one. */
function pickEvidence(
  finding: Finding,
  shown: Set<number>,
  header: number,
): { line: number; text: string } | undefined {
  const fresh = finding.evidence.filter((e) => !shown.has(e.line));
  // the header line says little the title does not; a short line is easier to read
  const rank = (e: { line: number; text: string }) =>
    (e.line === header ? 2 : 0) + (e.text.trim().length > EVIDENCE_CHARS ? 1 : 0);
  const pick = fresh
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)[0]?.e;
  if (!pick) return undefined;
  const text = pick.text.trim();
  return {
    line: pick.line,
    text: text.length > EVIDENCE_CHARS ? `${text.slice(0, EVIDENCE_CHARS - 1)}…` : text,
  };
}

function findingLines(
  findings: readonly Finding[],
  header: number,
  style: Style,
): { lines: string[]; evidenceShown: number } {
  const shown = new Set<number>();
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${style.indent}${style.bullet}${f.summary} ${style.dim(`[${f.id}]`)}`);
    const e = pickEvidence(f, shown, header);
    if (e) {
      shown.add(e.line);
      lines.push(style.quote(`line ${e.line}: ${e.text}`));
    } else {
      const cited = [...new Set(f.evidence.map((x) => x.line))];
      const which = `${cited.length === 1 ? "line" : "lines"} ${cited.join(", ")}`;
      lines.push(style.quote(style.dim(`evidence: ${which}, quoted above`)));
    }
  }
  return { lines, evidenceShown: shown.size };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * One report's block in at most `budget` lines. Findings and next steps get what the head
 * leaves, alternately cut from the end (next steps first) until the block fits.
 */
export function renderScreen(
  report: DiagnosedReport,
  index: number,
  style: Style,
  budget: number,
  hiddenReports = 0,
): { body: string[]; more?: string } {
  const head = [titleLine(report, index, style), ...headLines(report, style, false)];
  const notes = [...new Set(report.warnings)];
  const repeats = repeatsNote(report);
  if (repeats) notes.push(repeats);
  // a screen holds a few notes; --verbose has them all
  const noteLines = notes.slice(0, MAX_NOTES).map((n) => style.dim(`${style.indent}note: ${n}`));
  if (notes.length > MAX_NOTES)
    noteLines.push(
      style.dim(
        `${style.indent}note: ${plural(notes.length - MAX_NOTES, "more note")} with --verbose`,
      ),
    );
  const findings = strongestFirst(report);
  let nFindings = Math.min(findings.length, MAX_FINDINGS);
  let nSteps = Math.min(report.nextSteps.length, MAX_STEPS);

  const known = knownBugLine(report);
  const build = () => {
    const out = [...head, ...(known ? [style.fact("known", known)] : []), ...noteLines];
    const shownFindings = findings.slice(0, nFindings);
    const { lines, evidenceShown } = findingLines(shownFindings, report.header.line, style);
    if (lines.length) out.push("", style.heading("Findings"), ...lines);
    if (nSteps > 0)
      out.push(
        "",
        style.heading("Next steps"),
        ...report.nextSteps.slice(0, nSteps).map((s) => `${style.indent}${style.bullet}${s}`),
      );
    const more = verboseAdds(report, nFindings, nSteps, evidenceShown, hiddenReports);
    return more ? { body: out, more: style.dim(more) } : { body: out };
  };
  // the footer comes after a blank line
  const size = (b: { body: string[]; more?: string }) => b.body.length + (b.more ? 2 : 0);
  let out = build();
  while (size(out) > budget && (nFindings > 1 || nSteps > 1)) {
    if (nSteps >= nFindings && nSteps > 1) nSteps--;
    else nFindings--;
    out = build();
  }
  while (size(out) > budget && (nFindings > 0 || nSteps > 0)) {
    if (nSteps > 0) nSteps--;
    else nFindings--;
    out = build();
  }
  return out;
}

/** "--verbose adds: …" naming what this block left out, or nothing when it left nothing out. */
function verboseAdds(
  report: DiagnosedReport,
  nFindings: number,
  nSteps: number,
  evidenceShown: number,
  hiddenReports: number,
): string | undefined {
  const parts: string[] = [];
  if (report.instruction?.listing) parts.push("the decoded Code: listing");
  const findings = report.findings.length - nFindings;
  if (findings > 0) parts.push(plural(findings, "more finding"));
  const cited = new Set(report.findings.flatMap((f) => f.evidence.map((e) => e.line))).size;
  if (cited > evidenceShown) parts.push(`the ${plural(cited, "evidence line")}`);
  const steps = report.nextSteps.length - nSteps;
  if (steps > 0) parts.push(plural(steps, "more next step"));
  const frames = report.trace.filter((f) => f.reliable).length;
  if (frames > 1) parts.push(`the whole stack (${plural(frames, "frame")})`);
  if (hiddenReports > 0)
    parts.push(
      hiddenReports === 1
        ? "the other report in full"
        : `the other ${hiddenReports} reports in full`,
    );
  return parts.length ? `--verbose adds ${parts.join(", ")}` : undefined;
}

/** A report other than the primary one, in one line: its number, lines, title and culprit. */
export function renderOneLine(report: DiagnosedReport, index: number, style: Style): string {
  const culprit = report.culprit ? symbolWithModule(report.culprit) : "none";
  const damaged = report.corrupted ? " (incomplete)" : "";
  return `${style.indent}${style.bullet}${style.bold(`#${index + 1}`)} ${spanText(report.lines)}: ${displayTitle(report)} [${report.kind}]${damaged}; culprit: ${culprit}`;
}

/**
 * All reports of one input: the primary one (the first in the input — later reports are often
 * its consequences, so the kernel's advice is to read the first one first) in full, then one
 * line per other report, at most MAX_OTHERS, and how many more there are.
 */
export function renderScreens(
  reports: readonly DiagnosedReport[],
  style: Style,
  budget: number,
): string[] {
  const [primary, ...others] = reports;
  if (!primary) return [];
  const listed = others.slice(0, MAX_OTHERS);
  const rest = others.length - listed.length;
  const otherLines = listed.length ? 2 + listed.length + (rest > 0 ? 1 : 0) : 0;
  const { body, more } = renderScreen(
    primary,
    0,
    style,
    Math.max(budget - otherLines, 12),
    others.length,
  );
  const out = [...body];
  if (listed.length > 0) {
    out.push("", style.heading(`Other reports in this input (${others.length})`));
    listed.forEach((r, i) => {
      out.push(renderOneLine(r, i + 1, style));
    });
    if (rest > 0) out.push(`${style.indent}… and ${plural(rest, "more report")}`);
  }
  if (more) out.push("", more);
  return out;
}
