/**
 * @module store/pg-text
 * PostgreSQL's text and jsonb cannot hold U+0000, which serial consoles do print (and a
 * hostile submitter can send); SQLite keeps it. So the PostgreSQL store writes every string
 * through a reversible escape with U+FFFF (a noncharacter) as the escape character:
 * U+0000 → U+FFFF "0", U+FFFF → U+FFFF U+FFFF; and undoes it on every value it reads.
 * Equal strings stay equal after escaping, so equality filters still match.
 */

const ESCAPE = "\uffff";

export function escapeText(text: string): string {
  if (!text.includes("\0") && !text.includes(ESCAPE)) return text;
  return text.replace(/[\0\uffff]/g, (c) => (c === "\0" ? `${ESCAPE}0` : `${ESCAPE}${ESCAPE}`));
}

export function unescapeText(text: string): string {
  if (!text.includes(ESCAPE)) return text;
  return text.replace(/\uffff([0\uffff])/g, (_, c: string) => (c === "0" ? "\0" : ESCAPE));
}

/** `value` with `f` applied to every string in it, object keys included. */
function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[f(k)] = mapStrings(v, f);
    return out;
  }
  return value;
}

/** A query parameter as PostgreSQL may take it: strings (and arrays of them) escaped,
 * objects as escaped JSON (for jsonb). */
export function toParam(value: unknown): unknown {
  if (typeof value === "string") return escapeText(value);
  if (Array.isArray(value)) return value.map(toParam);
  if (value !== null && typeof value === "object")
    return JSON.stringify(mapStrings(value, escapeText));
  return value;
}

/** A row as PostgreSQL returned it, with every string unescaped. */
export function fromRow<T>(row: unknown): T {
  return mapStrings(row, unescapeText) as T;
}
