/**
 * @module agent/watcher
 * `crashlens watch`: scans a crash directory and submits each new crash once. A crash is
 * recorded in the state only after the server acknowledged it, so one that failed (server
 * down, network gone) is tried again on the next scan, and one that succeeded is never sent
 * again, across restarts. Scans come every interval; `fs.watch` only makes one come sooner.
 *
 * "Once" is per crash directory: kdump-tools writes the dmesg after the dump, so a directory
 * changing after it was sent is the same crash. A plain file dropped into DIR is a crash of
 * its own: the same name with other contents (size, time) later is a new crash, sent again.
 */
import { type FSWatcher, lstatSync, readdirSync, watch } from "node:fs";
import { basename, join, resolve } from "node:path";
import { escapeControls } from "../cli/render/safe.js";
import { CrashlensError } from "../errors.js";
import { type CrashlensClient, SubmitError, type SubmitMeta } from "./client.js";
import {
  type EntryPlan,
  fingerprint,
  planEntry,
  type Timing,
  trustedOwners,
} from "./crash-entry.js";
import { isHidden } from "./file-walk.js";
import { type SendOptions, type Sent, sendFile } from "./payload.js";
import { failureLine, resultLine } from "./report-line.js";
import { readState, type SubmittedEntry, updateState, type WatchState } from "./watch-state.js";

export interface WatchOptions {
  dir: string;
  statePath: string;
  client: CrashlensClient;
  meta: SubmitMeta;
  intervalMs: number;
  /** default: the interval */
  settleMs?: number;
  /** default: an hour */
  abandonMs?: number;
  log(line: string): void;
  problem(line: string): void;
  send?: SendOptions;
  /** whose entries are sent; default: root and the user watch runs as */
  owners?: ReadonlySet<number>;
}

export interface ScanResult {
  submitted: number;
  failed: number;
  waiting: number;
}

const HOUR_MS = 3600_000;
/** fs.watch fires several times for one change: scan once they calm down */
const HINT_DEBOUNCE_MS = 500;

export class Watcher {
  readonly dir: string;
  private state: WatchState;
  /** what was last said about an entry that waits or has nothing, so it is said once */
  private readonly said = new Map<string, string>();
  /** each entry's fingerprint at the previous scan: a change since then means "not yet" */
  private readonly lastSeen = new Map<string, string>();

  constructor(private readonly options: WatchOptions) {
    this.dir = resolve(options.dir);
    this.state = readState(options.statePath, this.dir);
  }

  /** One pass over the directory: every settled, not yet submitted crash is sent. */
  async scan(signal?: AbortSignal): Promise<ScanResult> {
    const result: ScanResult = { submitted: 0, failed: 0, waiting: 0 };
    // another watcher on the same state may have recorded crashes since the last scan
    this.state = readState(this.options.statePath, this.dir);
    const names = listDirectory(this.dir).filter((n) => !isHidden(n));
    for (const name of names) {
      if (signal?.aborted) break;
      const path = join(this.dir, name);
      const recorded = this.state.submitted[path];
      if (recorded !== undefined && !isChangedDroppedFile(path, recorded)) continue;
      let plan: EntryPlan;
      try {
        plan = await planEntry(path, this.timing(), this.options.owners ?? trustedOwners());
      } catch (error) {
        // vanished or unreadable between listing and reading: look again next time
        const line = failureLine(path, (error as Error).message);
        this.sayOnce(path, line, line, true);
        continue;
      }
      if (plan.action === "send" && this.changedSinceLastScan(path, plan.fingerprint))
        plan = { action: "wait", why: "its files changed since the last scan" };
      if (plan.action === "ignore") continue;
      if (plan.action !== "send") {
        if (plan.action === "wait") result.waiting++;
        const what = `${plan.action === "wait" ? "waiting: " : ""}${plan.why}`;
        // "changed 3 s ago", "changed 33 s ago": one wait is said once
        const topic = plan.action === "wait" ? "wait" : what;
        this.sayOnce(path, topic, `${escapeControls(path)}: ${escapeControls(what)}`);
        continue;
      }
      const outcome = await this.submit(path, plan);
      if (outcome === "sent") result.submitted++;
      else result.failed++;
      // the rest would fail alike (server unreachable, token refused): next scan
      if (outcome === "stop") break;
    }
    return result;
  }

  /** Scans every interval (sooner when the directory changes) until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let hint: FSWatcher | undefined;
    let wake: (() => void) | undefined;
    let debounce: NodeJS.Timeout | undefined;
    try {
      hint = watch(this.dir, () => {
        clearTimeout(debounce);
        debounce = setTimeout(() => wake?.(), HINT_DEBOUNCE_MS);
      });
      hint.on("error", () => hint?.close());
    } catch {
      // no inotify (some network filesystems): the interval alone will do
    }
    try {
      while (!signal.aborted) {
        try {
          await this.scan(signal);
        } catch (error) {
          // the directory is gone or unreadable for now (a remount): the next scan may see it;
          // a state that cannot be written is another matter — nothing could be recorded
          if (!(error instanceof CrashlensError && error.details.path === this.dir)) throw error;
          this.options.problem(escapeControls(error.message));
        }
        if (signal.aborted) break;
        await new Promise<void>((done) => {
          const timer = setTimeout(finish, this.options.intervalMs);
          signal.addEventListener("abort", finish, { once: true });
          wake = finish;
          function finish() {
            clearTimeout(timer);
            signal.removeEventListener("abort", finish);
            done();
          }
        });
      }
    } finally {
      clearTimeout(debounce);
      hint?.close();
    }
  }

  private async submit(
    path: string,
    plan: Extract<EntryPlan, { action: "send" }>,
  ): Promise<"sent" | "failed" | "stop"> {
    const { client, meta } = this.options;
    // what was looked at is what is sent: a link swapped in since is refused, not followed
    const send: SendOptions = { ...this.options.send, noFollow: true };
    let sent: Sent;
    let file = plan.file;
    try {
      try {
        sent = await sendFile(client, file, meta, send);
      } catch (error) {
        // a dump the agent cannot reduce still has its kernel log to tell the crash
        if (plan.fallback === undefined || !isDumpProblem(error)) throw error;
        this.options.problem(failureLine(file, `${(error as Error).message}; sending the log`));
        file = plan.fallback;
        sent = await sendFile(client, file, meta, send);
      }
    } catch (error) {
      this.options.problem(
        failureLine(path, `${(error as Error).message} (tried again on the next scan)`),
      );
      return error instanceof SubmitError && error.fatal ? "stop" : "failed";
    }
    // acknowledged: only now is it recorded, into the state as it is now under the lock
    // (another watcher on the same state may have recorded crashes since)
    const entry: SubmittedEntry = {
      sent: file,
      as: sent.kind,
      fingerprint: plan.fingerprint,
      reports: sent.result.reports.map((r) => r.id),
      clusters: sent.result.reports.map((r) => r.cluster),
      at: new Date().toISOString(),
    };
    this.state = await updateState(this.options.statePath, this.dir, (current) => ({
      ...current,
      submitted: { ...current.submitted, [path]: entry },
    }));
    this.said.delete(path);
    const note = file === path ? "" : ` (${file.slice(path.length + 1)})`;
    this.options.log(resultLine(path, sent.result, note));
    return "sent";
  }

  private timing(): Timing {
    const { intervalMs, settleMs, abandonMs } = this.options;
    return { now: Date.now(), settleMs: settleMs ?? intervalMs, abandonMs: abandonMs ?? HOUR_MS };
  }

  private changedSinceLastScan(path: string, fingerprint: string): boolean {
    const before = this.lastSeen.get(path);
    this.lastSeen.set(path, fingerprint);
    return before !== undefined && before !== fingerprint;
  }

  private sayOnce(path: string, topic: string, line: string, problem = false): void {
    if (this.said.get(path) === topic) return;
    this.said.set(path, topic);
    if (problem) this.options.problem(line);
    else this.options.log(line);
  }
}

/**
 * A plain file sent before (recorded as having sent itself) whose name now holds other
 * contents: a new crash saved under a reused name. Crash directories are never sent again.
 */
function isChangedDroppedFile(path: string, recorded: SubmittedEntry): boolean {
  if (recorded.sent !== path) return false;
  try {
    const stats = lstatSync(path);
    return fingerprint([{ name: basename(path), path, stats }]) !== recorded.fingerprint;
  } catch {
    // gone: nothing to send
    return false;
  }
}

function listDirectory(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CrashlensError("os", `cannot list ${dir} (${code})`, { path: dir, cause: error });
  }
}

/** the dump could not be opened or reduced, or the server will not take it (too big) */
function isDumpProblem(error: unknown): boolean {
  if (error instanceof SubmitError) return error.status === 413 || error.status === 415;
  const code = (error as { code?: string }).code;
  return code === "bad-data" || code === "truncated" || code === "fault" || code === "unsupported";
}
