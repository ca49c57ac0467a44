/**
 * @module shell/args
 * crash's argument conventions: words split on blanks, quotes group (and are removed), a
 * `( … )` expression stays one word even with blanks inside (`rd (jiffies + 8)`), and options
 * are parsed as getopt does them — combined (`-FF`, `-lb`), with the value attached or next
 * (`-c1`, `-c 1`), crash's digit words (`-16`, `-32`, `-64`), anywhere on the line unless the
 * command says otherwise, and `--` ends them. Mistakes come back as getopt's messages
 * (`invalid option -- 'z'`) in a ShellUsageError; nothing here throws anything else.
 */
import { type OptionSpec, type ParsedArgs, type ShellCommand, ShellUsageError } from "./command.js";

/** Splits a command line into words. Unbalanced quotes or parentheses end at the line's end. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      const stop = end < 0 ? line.length : end;
      word += line.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if ((c === " " || c === "\t") && depth === 0) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      if (c === "(") depth++;
      else if (c === ")" && depth > 0) depth--;
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** getopt over the command's options; throws ShellUsageError with getopt's message. */
export function parseArgs(
  command: ShellCommand,
  name: string,
  words: readonly string[],
): ParsedArgs {
  // longest flag first, so `-16` is one option and not `-1` then `-6`
  const specs = [...command.options].sort((a, b) => b.flag.length - a.flag.length);
  const positional: string[] = [];
  const given = new Map<string, string[]>();
  const add = (spec: OptionSpec, value: string) => {
    const list = given.get(spec.flag);
    if (list === undefined) given.set(spec.flag, [value]);
    else list.push(value);
  };
  let optionsDone = false;
  for (let w = 0; w < words.length; w++) {
    const word = words[w] as string;
    if (optionsDone || word === "-" || !word.startsWith("-")) {
      positional.push(word);
      if (command.optionsFirst === true) optionsDone = true;
      continue;
    }
    if (word === "--") {
      optionsDone = true;
      continue;
    }
    let i = 1;
    while (i < word.length) {
      const rest = word.slice(i);
      const spec = specs.find((s) => rest.startsWith(s.flag));
      if (spec === undefined) throw new ShellUsageError(`invalid option -- '${word[i]}'`);
      i += spec.flag.length;
      if (spec.value === undefined) {
        add(spec, "");
        continue;
      }
      if (i < word.length) {
        add(spec, word.slice(i));
      } else {
        const next = words[w + 1];
        if (next === undefined)
          throw new ShellUsageError(`option requires an argument -- '${spec.flag}'`);
        add(spec, next);
        w++;
      }
      break;
    }
  }
  return {
    command: name,
    positional,
    count: (flag) => given.get(flag)?.length ?? 0,
    has: (flag) => given.has(flag),
    value: (flag) => given.get(flag)?.at(-1),
    values: (flag) => given.get(flag) ?? [],
  };
}
