/**
 * @module cli/state-dir
 * crashlens' folder for state kept between runs (the fleet store, the watch agent's record):
 * `$XDG_STATE_HOME/crashlens`, else `~/.local/state/crashlens`.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "crashlens");
}
