/**
 * @module oops/loud-lines
 * Which lines the fast file scan (scan-file.ts) must hand to the full parser. Every other
 * line is "quiet": fed to a ReportParser at rest (ReportParser.atRest), a quiet line can
 * only (a) be dropped by the normaliser as blank, a syslog repeat notice or a repeat of the
 * line before, and (b) enter the segmenter's look-behind. Why each rule is needed:
 *
 * - a report header anywhere in the text (findHeader: `text.indexOf(group.header)`, after
 *   prefixes are peeled, so anywhere in the raw line), taken from the format table itself;
 *   the transport encodings the normaliser undoes (HTML entities) never make a header's
 *   characters, so the header is in the raw line too;
 * - `crash>` prompts, which start a session command on a line of any origin;
 * - the lines a module taints the kernel with ("taints kernel", "tainting kernel"), which
 *   the parser keeps outside any report as evidence of which module is out of tree;
 * - the `crash` output shapes SessionReader takes on a plain line while no command is open:
 *   `sys` fields and the `bt` header (upper-case keys: `KERNEL:`, `PID:`), `dis` lines
 *   (`0x…`), `dis -l` sources (`/…`), `struct`/`union` openers and `p` values (`$1 = `); a
 *   plain line's text is the raw line, so these sit at its start after blanks;
 * - journald formats: `-o export` fields (`KEY=value`, an upper-case key) and `-o json`
 *   objects (`{`), whose messages are unwrapped before anything else;
 * - (in the scanner) control bytes and escapes, which cleanControl removes and so could join
 *   the pieces of any of the above, and lines over MAX_QUIET_BYTES, which are cut or parsed
 *   on a prefix and counted in a warning.
 *
 * Leading blanks are only spaces and tabs: a line whose first other byte is not ASCII is
 * loud, since `\s` and trimStart() skip Unicode spaces too. Each rule is a superset of what
 * the parser reacts to; a needless loud line only costs time.
 */
import type { LoudRules } from "../text/quiet-scanner.js";
import { oopsGroups } from "./formats/index.js";
import { TAINT_ANNOUNCEMENT_WORDS } from "./parse-context.js";

export const loudRules: LoudRules = {
  anywhere: [
    ...new Set([...oopsGroups.map((group) => group.header), "crash", ...TAINT_ANNOUNCEMENT_WORDS]),
  ],
  lineStarts: ["0x", "/", "struct ", "union ", "$", "{"],
  upperKeys: true,
  // a quoted-printable soft break joins the next line to it (LineNormalizer), which may
  // complete a header split by the mail's line length
  lineEnds: ["="],
};
