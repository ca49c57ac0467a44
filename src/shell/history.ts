/**
 * @module shell/history
 * The prompt's history in `~/.crashlens_history`: the last `maxEntries` lines are loaded,
 * each new line is appended at once (a crash of our own loses nothing), and the file is cut
 * back when it grows past twice the bound. A home that cannot be read or written only means
 * no history: the shell never fails for it.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const maxEntries = 1000;

export class History {
  private failed = false;
  private lines: string[];

  constructor(readonly path: string | undefined) {
    this.lines = [];
    if (path === undefined) return;
    try {
      this.lines = readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
    } catch {
      // no history yet, or none readable
    }
  }

  /** newest first, as node:readline wants it */
  entries(): string[] {
    return this.lines.slice(-maxEntries).reverse();
  }

  add(line: string): void {
    if (line.trim() === "" || line === this.lines.at(-1)) return;
    this.lines.push(line);
    if (this.path === undefined || this.failed) return;
    try {
      if (this.lines.length > 2 * maxEntries) {
        this.lines = this.lines.slice(-maxEntries);
        writeFileSync(this.path, `${this.lines.join("\n")}\n`);
      } else appendFileSync(this.path, `${line}\n`);
    } catch {
      this.failed = true; // read-only or missing home: keep the history in memory only
    }
  }
}

/** `~/.crashlens_history`, or undefined when there is no home */
export function historyPath(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME;
  return home === undefined || home === "" ? undefined : join(home, ".crashlens_history");
}
