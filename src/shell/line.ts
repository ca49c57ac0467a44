/**
 * @module shell/line
 * What one input line asks for, before any command runs: nothing (blank, `# comment`), a shell
 * escape (`!cmd`), or a command whose output goes to the screen, through an external pipeline
 * (`log | grep buggy`: everything after the first `|` is given to /bin/sh, as crash does), or
 * into a file (`> file`, `>> file`). `|` and `>` inside quotes or `( … )` belong to the command
 * (`eval (1 | 2)`, crash's reason for requiring parentheses around those operators).
 */

export type LineRequest =
  | { kind: "empty" }
  | { kind: "shell"; command: string }
  | {
      kind: "command";
      /** the command and its arguments, without the pipe or redirection */
      text: string;
      /** `/bin/sh -c` pipeline fed with the command's output */
      pipe?: string;
      /** the file the output goes to */
      redirect?: { path: string; append: boolean };
    };

/** Index of the first `|` or `>` outside quotes and parentheses, or -1. */
function findOperator(line: string): number {
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    // `->` is C's member access (`p ((struct sock *) ADDR)->sk_write_queue`), not a redirect
    else if (c === ">" && line[i - 1] === "-") continue;
    else if ((c === "|" || c === ">") && depth === 0) return i;
  }
  return -1;
}

export function parseLine(line: string): LineRequest {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return { kind: "empty" };
  if (text.startsWith("!")) return { kind: "shell", command: text.slice(1).trim() };
  const at = findOperator(text);
  if (at < 0) return { kind: "command", text };
  const head = text.slice(0, at).trim();
  if (text[at] === "|") return { kind: "command", text: head, pipe: text.slice(at + 1).trim() };
  const append = text[at + 1] === ">";
  const path = text.slice(at + (append ? 2 : 1)).trim();
  return { kind: "command", text: head, redirect: { path, append } };
}
