/**
 * @module oops/pre-window
 * How far before a loud line the fast scan must start feeding the parser so that its state
 * there is exactly what reading every line would have made it.
 *
 * Quiet lines read by a parser at rest change only two things: the normaliser's repeat
 * state (the previous line, and whether lines came doubled) and the segmenter's last
 * LOOK_BEHIND lines. Call K, M, N three consecutive lines that carry text (lineAlone) with
 * M's text unlike K's and N's unlike M's. Whatever the state before K, the previous line's
 * text is K's after K (a line dropped as a repeat has the text of the one it repeats), so M
 * is kept and clears the "previous was doubled" flag, and N then clears the doubling flag:
 * from N on, the normaliser's state is a function of K..N alone. If at least LOOK_BEHIND
 * lines are kept from M up to the loud line, the look-behind is the same too. So feeding
 * from K gives the exact state; a window where no such K exists falls back to feeding from
 * where the quiet run began (exact by definition).
 */
import type { RawLine } from "../text/line-source.js";
import { cleanControl, LineNormalizer, lineAlone } from "../text/normalize.js";
import { LOOK_BEHIND } from "./segment.js";

/**
 * The line to start feeding at, among `lines` (consecutive quiet lines that end just before
 * a loud one), or undefined when they hold no such point.
 */
export function syncLine(lines: readonly RawLine[]): number | undefined {
  // a line ending in "=" may be a quoted-printable soft break that joins the next line to it:
  // K must come after the last one and the line that follows it
  const soft = lines.findLastIndex((raw) => cleanControl(raw.text).endsWith("="));
  const first = soft === -1 ? 0 : (lines[soft + 1]?.no ?? Number.POSITIVE_INFINITY) + 1;
  const alone = lines
    .filter((raw) => raw.no >= first)
    .map((raw) => ({ raw, text: lineAlone(raw)?.text }));
  const kept = alone.filter((l) => l.text !== undefined);
  const carrying = kept.map((l) => l.raw);
  const texts = kept.map((l) => l.text);
  for (let m = 1; m + 1 < carrying.length; m++) {
    if (texts[m] === texts[m - 1] || texts[m + 1] === texts[m]) continue;
    const k = (carrying[m - 1] as RawLine).no;
    const from = (carrying[m] as RawLine).no;
    // lines kept from M on do not depend on the state before K: count them from a fresh one
    const normalizer = new LineNormalizer();
    let kept = 0;
    for (const raw of lines) {
      if (raw.no < k) continue;
      normalizer.push(raw, (line) => {
        if (line.no >= from) kept++;
      });
    }
    // an earlier M keeps more lines after it than any later one
    return kept >= LOOK_BEHIND ? k : undefined;
  }
  return undefined;
}
