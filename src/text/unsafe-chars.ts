/**
 * @module text/unsafe-chars
 * The one list of characters that must never reach a reader as themselves, shared by the
 * terminal (`cli/render/safe.ts` writes them as escapes) and the web UI
 * (`ui/src/components/text.tsx` shows their code points): each either acts on a terminal or
 * hides or reorders text, so a hostile process name or log line could make an engineer read
 * something other than what is there. No imports: the UI bundle includes this file.
 */

/**
 * A RegExp character class (source text, to build each use's flags and groups):
 * - C0 controls but tab and newline, DEL, and the C1 controls U+0080–U+009F (U+009B is a
 *   one-character CSI to many terminals);
 * - U+061C ARABIC LETTER MARK, U+200E/U+200F the left-to-right and right-to-left marks;
 * - U+202A–U+202E bidi embeddings and overrides, U+2066–U+2069 bidi isolates;
 * - U+200B–U+200D zero-width space, non-joiner, joiner, and U+FEFF the zero-width no-break
 *   space (byte order mark): invisible, they make two different names look the same.
 */
export const UNSAFE_CHAR_CLASS =
  "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]";
