/**
 * @module cli/render/safe
 * Text from a log is data, never terminal commands. Before a report is rendered as text or
 * Markdown, every string taken from the input (task names, hardware strings, evidence lines,
 * file names) has its control characters written out as visible escapes: C0 controls but tab
 * and newline, DEL, the C1 controls (U+0080–U+009F: U+009B is a one-character CSI to many
 * terminals), the Unicode bidirectional overrides that reorder what a reader sees and the
 * zero-width characters that hide (the list, shared with the web UI: text/unsafe-chars.ts). The text
 * layer already removes ANSI sequences from console captures; this is the last guard, for what
 * survives it (a C1 CSI, a stray ESC in a crash session, a control byte in a file name).
 * JSON needs none of it: JSON.stringify escapes C0, and JSON is read by programs.
 */

import { UNSAFE_CHAR_CLASS } from "../../text/unsafe-chars.js";

/** the characters that act on a terminal or hide or reorder text instead of being shown */
const UNSAFE = new RegExp(UNSAFE_CHAR_CLASS, "g");

/** `\x1b` → the four characters `\x1b`; code points past U+00FF as `\u202e`. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A copy of `value` with every string in it escaped (arrays and plain objects walked; other
 * values kept). Reports are plain JSON-shaped data, so the copy has the same shape and type.
 */
export function withSafeText<T>(value: T): T {
  if (typeof value === "string") return escapeControls(value) as T;
  if (Array.isArray(value)) return value.map((v) => withSafeText(v)) as T;
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = withSafeText(v);
    return out as T;
  }
  return value;
}
