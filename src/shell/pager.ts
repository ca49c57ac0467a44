/**
 * @module shell/pager
 * crash's scroll mode: output longer than the terminal goes through `$PAGER` (default
 * `less -FRX`: quit at the end of a short text, keep colours, leave the text on screen).
 * Only for a terminal; `set scroll off` or a pipe prints directly.
 */
import { spawn } from "node:child_process";

export const defaultPager = "less -FRX";

export function pagerCommand(env: NodeJS.ProcessEnv): string {
  const pager = env.PAGER?.trim();
  return pager === undefined || pager === "" ? defaultPager : pager;
}

/** whether `text` needs more lines than the terminal has */
export function needsPager(text: string, rows: number | undefined): boolean {
  if (rows === undefined || rows <= 0) return false;
  let lines = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
    if (++lines >= rows) return true;
  }
  return false;
}

/**
 * Shows `text` through the pager, which reads the keyboard itself; resolves when it exits.
 * Resolves false (nothing shown) when the pager cannot be started.
 */
export function page(text: string, command: string): Promise<boolean> {
  return new Promise((resolve) => {
    // Ctrl-C in the pager reaches our process group too: it must not end the shell
    const ignore = () => {};
    process.on("SIGINT", ignore);
    const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "inherit", "inherit"] });
    const done = (shown: boolean) => {
      process.off("SIGINT", ignore);
      resolve(shown);
    };
    child.on("error", () => done(false));
    child.on("close", (code) => done(code !== 127));
    child.stdin.on("error", () => {}); // quitting the pager early closes the pipe
    child.stdin.end(text);
  });
}
