/**
 * Report strings shown as text with their invisible characters made visible: a control
 * character or a bidi override in a process name or a log line must not reorder or hide what
 * an engineer reads. (Everything here is a text node; nothing is ever parsed as HTML.)
 */
import { UNSAFE_CHAR_CLASS } from "../../../src/text/unsafe-chars.js";

// the terminal's list (C0/C1 controls but tab and newline, bidi marks, embeddings, overrides
// and isolates, zero-width characters); one capturing group, so `split` keeps each such
// character as its own odd-indexed part
const INVISIBLE = new RegExp(`(${UNSAFE_CHAR_CLASS})`);

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

export function Text({ value }: { value: string }) {
  if (!INVISIBLE.test(value)) return <>{value}</>;
  return (
    <>
      {value.split(INVISIBLE).map((part, i) =>
        i % 2 === 0 ? (
          part
        ) : (
          <span class="invisible-char" title={`invisible character ${codePoint(part)}`} key={i}>
            {codePoint(part)}
          </span>
        ),
      )}
    </>
  );
}

/** Prose from crashlens' rules, where `backticks` mark code: shown as code, still text. */
export function Prose({ value }: { value: string }) {
  const parts = value.split("`");
  // an odd count of backticks: not markup, show as written
  if (parts.length % 2 === 0) return <Text value={value} />;
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 0 ? (
          <Text value={part} key={i} />
        ) : (
          <code key={i}>
            <Text value={part} />
          </code>
        ),
      )}
    </>
  );
}
