/**
 * @module agent/watch-state
 * What `watch` has submitted, so a restart submits nothing twice: one JSON file, written only
 * after the server acknowledged, atomically (a temporary file, fsync, rename, fsync of the
 * directory) so a crash of the agent or the machine leaves the old state or the new one,
 * never half of either. An update reads, changes and writes under the state's lock
 * (state-lock.ts), so watchers sharing one state file keep each other's entries. A state that cannot be read stops the agent: guessing would mean
 * submitting every crash again.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { defaultStateDir } from "../cli/state-dir.js";
import { CrashlensError } from "../errors.js";
import type { FileKind } from "./payload.js";
import { type LockTiming, withStateLock } from "./state-lock.js";

export const STATE_VERSION = 1;

/** One crash directory (or dropped file) the server acknowledged. */
export interface SubmittedEntry {
  /** the file that was sent: the dump, or the kernel log */
  sent: string;
  as: FileKind;
  /** the entry's files (names, sizes, times) when it was sent */
  fingerprint: string;
  reports: number[];
  clusters: number[];
  at: string;
}

export interface WatchState {
  version: typeof STATE_VERSION;
  /** by absolute path of the crash directory or file */
  submitted: Record<string, SubmittedEntry>;
}

/** `$XDG_STATE_HOME/crashlens/watch-state.json`, else `~/.local/state/crashlens/…` */
export function defaultStatePath(env: NodeJS.ProcessEnv): string {
  return join(defaultStateDir(env), "watch-state.json");
}

export const emptyState = (): WatchState => ({ version: STATE_VERSION, submitted: {} });

/** The state at `path`; empty when there is none yet; throws when it is there but unreadable. */
export function readState(path: string, dir: string): WatchState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return emptyState();
    throw new CrashlensError("os", `cannot read the watch state ${path} (${code ?? error})`, {
      path,
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unreadable(path, dir, `not JSON: ${(error as Error).message}`);
  }
  const problem = whatIsWrong(value);
  if (problem !== undefined) throw unreadable(path, dir, problem);
  return value as WatchState;
}

function unreadable(path: string, dir: string, why: string): CrashlensError {
  return new CrashlensError(
    "bad-data",
    `the watch state ${path} is damaged (${why}). It records which crashes were already ` +
      "submitted, so watch stops rather than submit them all again. Repair it, or move it " +
      `away to submit every crash under ${dir} once more (the server marks those it has ` +
      "as duplicates).",
    { path },
  );
}

function whatIsWrong(value: unknown): string | undefined {
  const state = value as Partial<WatchState> | null;
  if (state === null || typeof state !== "object") return "not an object";
  if (state.version !== STATE_VERSION)
    return `version ${String(state.version)}, not ${STATE_VERSION}`;
  if (state.submitted === null || typeof state.submitted !== "object") return "no `submitted`";
  for (const [path, entry] of Object.entries(state.submitted)) {
    const e = entry as Partial<SubmittedEntry> | null;
    const ok =
      e !== null &&
      typeof e === "object" &&
      typeof e.sent === "string" &&
      typeof e.fingerprint === "string" &&
      Array.isArray(e.reports) &&
      e.reports.every((id) => Number.isInteger(id));
    if (!ok) return `the entry for ${path} is malformed`;
  }
  return undefined;
}

/** Reads the state at `path`, changes it and writes it back, holding its lock; the new state. */
export function updateState(
  path: string,
  dir: string,
  change: (current: WatchState) => WatchState,
  timing?: LockTiming,
): Promise<WatchState> {
  return withStateLock(
    path,
    () => {
      const next = change(readState(path, dir));
      writeState(path, next);
      return next;
    },
    timing,
  );
}

/** Replaces the state at `path` with `state`, durably. */
export function writeState(path: string, state: WatchState): void {
  const dir = dirname(path);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(temporary, "w", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(state, null, 1)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    // the rename itself is durable only once the directory is
    const dirFd = openSync(dir, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CrashlensError("os", `cannot write the watch state ${path} (${code})`, {
      path,
      cause: error,
    });
  }
}
