/**
 * @module oops/title/describe
 * Turns a report's text into its title: finds which format of the header's group matches
 * earliest, fills its template with the captures and the extracted frames, and says
 * whether the report looks damaged.
 */
import type { OopsFormat, OopsGroup } from "../formats/types.js";
import { type ExtractedFrame, extractStackFrames } from "./frames.js";
import { sanitizeTitle } from "./sanitize.js";
import { frameLines, framePrefixes, RISCV_STACK_START, stackStarts } from "./stack-params.js";

export interface Description {
  title: string;
  altTitles: string[];
  /** the reason the report looks damaged, if it does */
  corrupted?: string;
  format?: OopsFormat;
  /** the frames the title was made from */
  frames: ExtractedFrame[];
}

function fill(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, n: string) => args[Number(n) - 1] ?? "?");
}

/** Alternative titles from frames with only some wrapper prefixes removed, for grouping. */
function partlyStrippedArgs(
  captures: readonly string[],
  frames: readonly ExtractedFrame[],
): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= framePrefixes.length; i++) {
    const prefix = i === 0 ? "" : (framePrefixes[i - 1] as string);
    let changed = i === 0;
    const names = frames.map((f) => {
      const trimmed = prefix && f.raw.startsWith(prefix) ? f.raw.slice(prefix.length) : f.raw;
      if (trimmed !== f.raw) changed = true;
      return trimmed;
    });
    if (changed) out.push([...captures, ...names]);
  }
  return out;
}

/**
 * Describes the report text (lines from the header line on, joined with "\n").
 * `group` is the crash-format group whose header opened the report.
 */
export function describe(text: string, group: OopsGroup, fullText = text): Description {
  let startPos = text.length;
  let best: Description | undefined;
  let matchedTitle = false;
  for (const format of group.formats) {
    const titleMatch = format.title.exec(text);
    if (!titleMatch || titleMatch.index > startPos) continue;
    if (titleMatch.index === startPos && best) continue;
    if (titleMatch.index < startPos) {
      best = undefined;
      startPos = titleMatch.index;
    }
    matchedTitle = true;
    let match = titleMatch;
    if (format.report) {
      const reportMatch = format.report.exec(text);
      if (!reportMatch) continue;
      match = reportMatch;
    }
    const captures = match.slice(1).map((c) => c ?? "");
    let frames: ExtractedFrame[] = [];
    let corrupted: string | undefined;
    if (format.stack) {
      const lines = text.slice(match.index).split("\n");
      const extracted = extractStackFrames(lines, format.stack);
      frames = extracted.frames;
      if (!extracted.ok) corrupted = "extracted no frames";
    }
    const args = [...captures, ...frames.map((f) => f.canonical)];
    const title = fill(format.template, args);
    const alts = (format.alt ?? []).map((alt) => fill(alt, args));
    for (const variant of partlyStrippedArgs(captures, frames)) {
      const alt = fill(format.template, variant);
      if (alt !== title) alts.push(alt);
      for (const extra of format.alt ?? []) alts.push(fill(extra, variant));
    }
    best = { title, altTitles: [...new Set(alts)], format, frames };
    if (corrupted) best.corrupted = corrupted;
  }
  if (!best) {
    const pos = text.indexOf(group.header);
    const end = text.indexOf("\n", pos);
    best = { title: text.slice(pos, end === -1 ? undefined : end), altTitles: [], frames: [] };
    if (matchedTitle) best.corrupted = "matched title but not report regexp";
  }
  if (!best.corrupted && best.format?.corrupted) {
    best.corrupted = "report format is marked as corrupted";
  }
  best.title = sanitizeTitle(best.title);
  best.altTitles = [...new Set(best.altTitles.map(sanitizeTitle))].filter((t) => t !== best.title);
  if (!best.corrupted) {
    const reason = corruptionIn(best.title, fullText, best.format);
    if (reason) best.corrupted = reason;
  }
  return best;
}

/** Why a report that produced a title still looks damaged, if it does. */
function corruptionIn(
  title: string,
  text: string,
  format: OopsFormat | undefined,
): string | undefined {
  // timestamps merged into the middle of a header line
  if (/\[ *[0-9]+\.[0-9]+\]/.test(title)) return "title matches corrupted regexp";
  if (!format || format.noStackTrace) return undefined;
  let hasStack = false;
  for (const start of stackStarts) {
    const m = start.exec(text);
    if (!m) continue;
    const following = text.slice(m.index).split("\n");
    if (following.length < 4) return "call trace is missed";
    let corrupted = true;
    for (const line of following.slice(1, 16)) {
      if (stackStarts.some((s) => s.test(line))) break;
      if (line.includes("(stack is not available)") || frameLines.some((f) => f.test(line))) {
        hasStack = true;
        corrupted = false;
        break;
      }
    }
    if (start !== RISCV_STACK_START && corrupted) return "no frames in a stack trace";
  }
  return hasStack ? undefined : "no stack trace in report";
}
