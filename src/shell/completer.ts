/**
 * @module shell/completer
 * Tab completion: the first word from the command table, a type name after `struct`, `union`,
 * `whatis` or `ptype` (from a callback; `btfTypeCompleter` reads the dump's BTF), any other
 * word from kallsyms (prefix search over the sorted names). Past `maxShown` matches only their common prefix is
 * offered, so a Tab on "s" does not print 5,000 names.
 */
import type { BtfKind } from "../kernel/btf/btf.js";
import type { Kernel } from "../kernel/kernel.js";
import type { ShellSession } from "./session.js";

/** type names starting with a prefix (struct/union/typedef names, from BTF) */
export type TypeCompleter = (prefix: string) => Promise<readonly string[]> | readonly string[];

const TYPE_COMMANDS = new Set(["struct", "union", "whatis", "ptype", "*"]);
const maxShown = 200;

/** readline's completer result: the candidates and the text they replace */
export type Completion = [string[], string];

function limit(all: readonly string[], word: string): Completion {
  if (all.length <= maxShown) return [[...all], word];
  let common = all[0] as string;
  for (const name of all) {
    let n = 0;
    while (n < common.length && n < name.length && common[n] === name[n]) n++;
    common = common.slice(0, n);
  }
  return [common.length > word.length ? [common] : all.slice(0, maxShown), word];
}

export async function complete(
  session: ShellSession,
  line: string,
  types?: TypeCompleter,
): Promise<Completion> {
  const word = /[A-Za-z0-9_.$]*$/.exec(line)?.[0] ?? "";
  const before = line.slice(0, line.length - word.length);
  if (before.trim() === "") {
    const names = session.commands.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    return limit(names.filter((n) => n.startsWith(word)).sort(), word);
  }
  const first = before.trim().split(/\s+/)[0] ?? "";
  const positional = before
    .trim()
    .split(/\s+/)
    .slice(1)
    .filter((w) => !w.startsWith("-"));
  if (TYPE_COMMANDS.has(first) && positional.length === 0) {
    if (types === undefined) return [[], word];
    return limit([...(await types(word))].sort(), word);
  }
  let index: Awaited<ReturnType<ShellSession["symbols"]>>;
  try {
    index = await session.symbols();
  } catch {
    return [[], word];
  }
  if (word === "") return [[], word];
  const { names, total } = index.withPrefix(word, maxShown);
  if (total <= maxShown) return [names, word];
  const common = index.commonPrefix(word);
  return [common.length > word.length ? [common] : names, word];
}

const TYPE_KINDS: ReadonlySet<BtfKind> = new Set(["struct", "union", "typedef"]);

/** struct, union and typedef names from the dump's BTF, sorted once on first use */
export function btfTypeCompleter(kernel: Kernel): TypeCompleter {
  let names: Promise<string[]> | undefined;
  return async (prefix) => {
    names ??= kernel
      .btf()
      .then((btf) => [...new Set(btf.typeNames(TYPE_KINDS))].sort())
      .catch(() => []);
    const sorted = await names;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < sorted.length && (sorted[i] as string).startsWith(prefix); i++)
      out.push(sorted[i] as string);
    return out;
  };
}
