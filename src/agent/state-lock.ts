/**
 * @module agent/state-lock
 * An exclusive lock around a read-modify-write of the watch state, so two watchers sharing one
 * state file (two crash directories, or a cron `--once` beside the service) cannot each write
 * back what they read and drop the other's entry. The lock is a file beside the state holding
 * the owner's PID and boot id, made whole under a temporary name and then hard-linked into
 * place (link(2) fails when the lock exists, like O_EXCL, and no one ever reads it half
 * written); it is held for one update, a few milliseconds. A lock whose owner is gone (killed in that window: its PID is dead, or it was
 * taken in an earlier boot, where PIDs meant other processes) is taken over.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CrashlensError } from "../errors.js";

export interface LockTiming {
  /** how long to wait for the other watcher's update to end */
  waitMs: number;
  /** the pause between two tries */
  retryMs: number;
}

/** an update takes milliseconds: seconds of waiting means the other process is stuck */
const DEFAULT_TIMING: LockTiming = { waitMs: 10_000, retryMs: 20 };

export const lockPathOf = (statePath: string) => `${statePath}.lock`;

/** Runs `update` holding the lock of `statePath`; throws when it stays taken past `waitMs`. */
export async function withStateLock<T>(
  statePath: string,
  update: () => T,
  timing: LockTiming = DEFAULT_TIMING,
): Promise<T> {
  const lock = lockPathOf(statePath);
  const mine = `${process.pid} ${bootId()}\n`;
  const deadline = Date.now() + timing.waitMs;
  // the first update of a first run makes the state's directory
  mkdirSync(dirname(statePath), { recursive: true, mode: 0o700 });
  for (;;) {
    if (tryCreate(lock, mine)) break;
    const holder = readHolder(lock);
    if (holder !== undefined && isStale(holder)) {
      // a gone owner's lock; another taker may race here, which the next O_EXCL settles
      if (readHolder(lock) === holder) rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() >= deadline)
      throw new CrashlensError(
        "os",
        `the watch state ${statePath} stays locked by process ${holder?.split(" ")[0] ?? "?"} ` +
          `(${lock}): is another watch stuck on the same state? Remove the lock once it is not`,
        { path: lock },
      );
    await sleep(timing.retryMs);
  }
  try {
    return update();
  } finally {
    rmSync(lock, { force: true });
  }
}

function tryCreate(lock: string, content: string): boolean {
  const whole = `${lock}.${process.pid}.tmp`;
  try {
    writeFileSync(whole, content, { mode: 0o600 });
    linkSync(whole, lock);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    throw new CrashlensError("os", `cannot lock the watch state (${lock}: ${code ?? error})`, {
      path: lock,
      cause: error,
    });
  } finally {
    rmSync(whole, { force: true });
  }
}

/** the lock's "PID bootid" line, or undefined when it went away meanwhile */
function readHolder(lock: string): string | undefined {
  try {
    return readFileSync(lock, "utf8").trim();
  } catch {
    return undefined;
  }
}

function isStale(holder: string): boolean {
  const [pidText = "", boot = ""] = holder.split(" ");
  const pid = Number(pidText);
  // never written by this code (it links whole files): left by hand or by a damaged disk
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (boot !== "" && bootId() !== "" && boot !== bootId()) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, another user's
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

let boot: string | undefined;
/** this boot's id (Linux), "" where there is none */
function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      boot = "";
    }
  }
  return boot;
}
