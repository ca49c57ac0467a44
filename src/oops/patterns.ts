/**
 * @module oops/patterns
 * Regular-expression fragments shared by the crash-format table and the field parsers,
 * named once so rows stay readable: {{FUNC}}, {{PC}}, {{ADDR}}, {{SRC}}.
 */

const FRAGMENTS: Record<string, string> = {
  // a hex address with 0x
  ADDR: "0x[0-9a-f]+",
  // "[<ffffffff81573762>]" or "[ffffffff81573762]" as printed before symbols
  PC: "\\[\\<?(?:0x)?[0-9a-f]+\\>?\\]",
  // a function name up to its ".isra.0" suffix or "+0x…" offset; captures the name
  FUNC: "([a-zA-Z0-9_]+)(?:\\.|\\+)",
  // "fs/read_write.c:605"; captures it
  SRC: "([a-zA-Z0-9\\-_/.]+\\.[a-z]+:[0-9]+)",
};

/** POSIX classes written in rows for readability, mapped to JavaScript classes. */
const POSIX: Record<string, string> = {
  "[[:space:]]": "\\s",
  "[[:xdigit:]]": "[0-9A-Fa-f]",
};

/** Builds a RegExp from a pattern written with the named fragments. */
export function re(pattern: string, flags = ""): RegExp {
  let source = pattern.replace(/\{\{([A-Z]+)\}\}/g, (whole, name: string) => {
    const fragment = FRAGMENTS[name];
    if (fragment === undefined) throw new Error(`unknown pattern fragment ${whole}`);
    return fragment;
  });
  for (const [posix, js] of Object.entries(POSIX)) source = source.split(posix).join(js);
  return new RegExp(source, flags);
}

/** The line that names where the CPU was: x86 `RIP:`/`IP:`, ppc `NIP`, arm `pc :`/`PC is at`. */
export const RIP_FRAME = re(
  "(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))",
);

/** The line that opens a stack listing. */
export const CALL_TRACE = re("(?:Call (?:T|t)race:)|(?:Backtrace:)");
