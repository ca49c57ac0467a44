/**
 * @module agent/file-walk
 * The files a `submit FILE|DIR...` names: each file as given (a link named on the command line
 * is followed: the user chose it), each directory walked in name order, without hidden entries
 * (editors' and rsync's temporary files, `.git`) and without the links inside it: a link back
 * up would never end, and a link planted in a shared directory must not send what it points to.
 */
import { type Dirent, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CrashlensError } from "../errors.js";

export const isHidden = (name: string) => name.startsWith(".");

/** Every file under the arguments, in order; throws for an argument that does not exist. */
export function filesOf(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new CrashlensError("os", `cannot read ${path} (${code})`, { path, cause: error });
    }
    if (info.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

function walk(dir: string, out: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CrashlensError("os", `cannot list ${dir} (${code})`, { path: dir, cause: error });
  }
  const names = entries.filter((e) => !isHidden(e.name)).sort((a, b) => compare(a.name, b.name));
  for (const entry of names) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
