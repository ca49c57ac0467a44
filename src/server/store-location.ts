/**
 * @module server/store-location
 * Where `serve`, `token` and `recluster` find the store when `--store` is not given:
 * `$XDG_STATE_HOME/crashlens/fleet.db`, else `~/.local/state/crashlens/fleet.db`.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function defaultStoreLocation(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(state, "crashlens", "fleet.db");
}

export function storeLocation(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? defaultStoreLocation(env);
}
