/**
 * @module cli/commands/store-option
 * `--store`, as `serve`, `token` and `recluster` declare it, and where it points when not given.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { defaultStateDir } from "../state-dir.js";

export interface StoreFlags {
  store?: string;
}

/** Declares `--store <location>` on `command`. */
export function storeOption(command: Command): Command {
  return command.option(
    "--store <location>",
    "a SQLite file or a postgres:// URL (default $XDG_STATE_HOME/crashlens/fleet.db)",
  );
}

/** The store `--store` names, else `fleet.db` in crashlens' state folder. */
export function storeLocation(flags: StoreFlags, env: NodeJS.ProcessEnv): string {
  return flags.store ?? join(defaultStateDir(env), "fleet.db");
}
