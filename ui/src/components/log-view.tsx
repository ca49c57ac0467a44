/**
 * The submitted log with line numbers: the report's span shaded, evidence lines marked, and
 * `#L123` anchors (the targeted line is highlighted, scrolled to and focused). Long logs
 * show only the neighbourhoods of what matters, with the gaps counted.
 */
import { useEffect, useMemo, useRef } from "preact/hooks";
import { navigate } from "../router.js";
import { Text } from "./text.js";

/** beyond this many lines, only the report's surroundings and the evidence are shown */
const WHOLE_LOG_LINES = 3000;
const CONTEXT = { span: 60, evidence: 5 };

interface Props {
  text: string;
  span: { start: number; end: number };
  evidence: ReadonlySet<number>;
  /** the fragment, e.g. "L80" or "r1-L80" */
  target: string;
  /** line ids are `${idPrefix}L${n}`, unique per page */
  idPrefix: string;
}

/** a gap row: `gap` lines hidden, from line `from` */
type Row = { line: number; text: string } | { gap: number; from: number };

function rowsOf(lines: string[], keep: (line: number) => boolean): Row[] {
  const rows: Row[] = [];
  let skipped = 0;
  for (const [i, text] of lines.entries()) {
    if (keep(i + 1)) {
      if (skipped) rows.push({ gap: skipped, from: i + 1 - skipped });
      skipped = 0;
      rows.push({ line: i + 1, text });
    } else skipped++;
  }
  if (skipped) rows.push({ gap: skipped, from: lines.length + 1 - skipped });
  return rows;
}

export function LogView({ text, span, evidence, target, idPrefix }: Props) {
  const lines = useMemo(() => text.replace(/\r?\n$/, "").split(/\r?\n/), [text]);
  const targetLine = target.startsWith(`${idPrefix}L`)
    ? Number(target.slice(idPrefix.length + 1))
    : undefined;
  const rows = useMemo(() => {
    if (lines.length <= WHOLE_LOG_LINES) return rowsOf(lines, () => true);
    const near = (line: number, at: number, by: number) => Math.abs(line - at) <= by;
    return rowsOf(
      lines,
      (line) =>
        (line >= span.start - CONTEXT.span && line <= span.end + CONTEXT.span) ||
        [...evidence].some((at) => near(line, at, CONTEXT.evidence)) ||
        (targetLine !== undefined && near(line, targetLine, CONTEXT.evidence)),
    );
  }, [lines, span.start, span.end, evidence, targetLine]);

  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (targetLine === undefined) return;
    const element = box.current?.querySelector<HTMLElement>(`[data-line="${targetLine}"]`);
    if (!element) return;
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "center" });
  }, [targetLine]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: one delegated handler for the line-number links, which are real links
    // biome-ignore lint/a11y/useKeyWithClickEvents: the links inside activate with Enter natively
    <div
      class="log"
      ref={box}
      onClick={(event) => {
        const link = (event.target as HTMLElement).closest("a.ln");
        if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(location.pathname + location.search + (link.getAttribute("href") ?? ""));
      }}
    >
      {rows.map((row) =>
        "gap" in row ? (
          <div class="gap" key={`gap-${row.from}`}>
            … {row.gap.toLocaleString("en-US")} lines not shown
          </div>
        ) : (
          <div
            key={row.line}
            id={`${idPrefix}L${row.line}`}
            data-line={row.line}
            tabIndex={-1}
            class={[
              "line",
              row.line >= span.start && row.line <= span.end ? "in-span" : "",
              evidence.has(row.line) ? "evidence" : "",
              row.line === targetLine ? "targeted" : "",
            ]
              .filter(Boolean)
              .join(" ")}
          >
            <a class="ln" href={`#${idPrefix}L${row.line}`} tabIndex={-1}>
              {row.line}
            </a>
            <span class="code">
              <Text value={row.text} />
            </span>
          </div>
        ),
      )}
    </div>
  );
}
