/**
 * @module agent/crash-entry
 * What `watch` does with one entry of the crash directory: wait (still being written), send
 * one file, or nothing. One crash is one submission: the dump when a complete one is there,
 * else its kernel log — never both, which the server would count as two crashes.
 *
 * The layouts, as the tools that save a crash write them:
 * - Debian/Ubuntu kdump-tools (`kdump-config savecore`): `DIR/YYYYMMDDHHMM/` holding
 *   `dump.YYYYMMDDHHMM` (written as `dump-incomplete`, renamed when done) and
 *   `dmesg.YYYYMMDDHHMM` (makedumpfile --dump-dmesg, written after the dump, in place).
 * - RHEL/Fedora kexec-tools (dracut `kdump.sh`): `DIR/<ip>-YYYY-MM-DD-HH:MM:SS/` holding
 *   `vmcore` (local) or `vmcore.flat` (over ssh), written as `vmcore-incomplete`;
 *   `vmcore-dmesg.txt`, written first as `vmcore-dmesg-incomplete.txt`; and `kexec-dmesg.log`,
 *   the capture kernel's own log (not the crash: never sent).
 * - A plain file dropped into DIR: sent as what its content is.
 *
 * An `*incomplete*` name means a save in progress — until it has not changed for
 * `abandonMs`: a save that failed leaves its marker behind for good (a zero-byte
 * `vmcore-dmesg-incomplete.txt` beside a complete `vmcore` is common), and the crash must
 * still be sent. Any file changed within `settleMs` also means "not yet".
 *
 * /var/crash is writable by every user (Ubuntu: mode 3777), and watch runs as root: a link
 * planted there would make it upload whatever the link points to. So nothing in the tree is
 * followed (entries are `lstat`ed, files opened with O_NOFOLLOW), and only what root or the
 * watcher's own user owns is sent — another user's entry could be swapped for a link or a
 * link-laden directory between this look and the upload.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, type Stats } from "node:fs";
import { basename, join } from "node:path";
import { isHidden } from "./file-walk.js";
import { type FileKind, kindOfFile } from "./payload.js";

export type EntryPlan =
  | { action: "wait"; why: string }
  /** `fallback`: the crash's kernel log, sent instead when the dump cannot be reduced */
  | { action: "send"; file: string; kind: FileKind; fallback?: string; fingerprint: string }
  | { action: "nothing"; why: string }
  /** not a crash at all (apport's user-space reports, kdump-tools' saved kexec command) */
  | { action: "ignore" };

/** the owners whose files are sent: root and the user watch runs as */
export function trustedOwners(): ReadonlySet<number> {
  return new Set([0, process.getuid?.() ?? 0]);
}

export interface Timing {
  now: number;
  /** a file changed more recently than this is still being written */
  settleMs: number;
  /** an `*incomplete*` file unchanged for this long was left by a save that failed */
  abandonMs: number;
}

const INCOMPLETE = /incomplete/i;

/** files in DIR that are not crash reports, with the tool that writes them */
const notReports: ReadonlyArray<{ name: RegExp; writer: string }> = [
  { name: /^kexec_cmd$/, writer: "kdump-tools: the kexec command it loaded" },
  { name: /\.(crash|upload|uploaded|lock)$/, writer: "apport: user-space crash reports" },
];

/** kernel logs in a crash directory, preferred first; `kexec-dmesg.log` is the capture kernel's */
const logNames: readonly RegExp[] = [/^vmcore-dmesg\.txt$/, /^dmesg\.\d{12}$/, /^dmesg(\.txt)?$/];

/** dumps in a crash directory, preferred first; others are found by their signature */
const dumpNames: readonly RegExp[] = [/^vmcore$/, /^vmcore\.flat$/, /^dump\.\d{12}$/];

interface FileInfo {
  name: string;
  path: string;
  stats: Stats;
}

/** `owners`: whose entries are sent (default: trustedOwners()) */
export async function planEntry(
  path: string,
  timing: Timing,
  owners: ReadonlySet<number> = trustedOwners(),
): Promise<EntryPlan> {
  const stats = lstatSync(path);
  const name = basename(path);
  // apport's reports belong to the users whose programs crashed: ignored, not distrusted
  if (!stats.isDirectory() && notReports.some((n) => n.name.test(name)))
    return { action: "ignore" };
  const distrust = whyNotTrusted(stats, owners);
  if (distrust !== undefined) return { action: "nothing", why: distrust };
  if (stats.isDirectory()) return planDirectory(path, timing, owners);
  if (!stats.isFile()) return { action: "ignore" };
  const file = { name, path, stats };
  const busy = stillWritten([file], timing);
  if (busy !== undefined) return { action: "wait", why: busy };
  if (INCOMPLETE.test(name)) return { action: "nothing", why: "an abandoned partial file" };
  const { kind } = await kindOfFile(path, { noFollow: true });
  return { action: "send", file: path, kind, fingerprint: fingerprint([file]) };
}

/** why an entry is not sent whatever it holds, or undefined when it may be */
function whyNotTrusted(stats: Stats, owners: ReadonlySet<number>): string | undefined {
  if (stats.isSymbolicLink()) return "a symbolic link, never followed";
  if (!owners.has(stats.uid))
    return `owned by uid ${stats.uid}, not by root or the user watch runs as: not sent`;
  return undefined;
}

async function planDirectory(
  dir: string,
  timing: Timing,
  owners: ReadonlySet<number>,
): Promise<EntryPlan> {
  // links and other users' files inside are skipped like any non-file
  const files: FileInfo[] = readdirSync(dir)
    .map((name) => ({ name, path: join(dir, name), stats: lstatSync(join(dir, name)) }))
    .filter((f) => f.stats.isFile() && whyNotTrusted(f.stats, owners) === undefined);
  // hidden files count as activity (rsync writes into `.vmcore.XXXXXX`) but are never sent;
  // the directory's own time moves when a file is added or renamed (a copy half done, the
  // dump just renamed from its temporary name)
  const self = { name: "the directory", path: dir, stats: lstatSync(dir) };
  const busy = stillWritten([...files, self], timing);
  if (busy !== undefined) return { action: "wait", why: busy };
  const complete = files.filter((f) => !isHidden(f.name) && !INCOMPLETE.test(f.name));
  const print = fingerprint(complete);
  const dumps: FileInfo[] = [];
  for (const f of complete)
    if ((await kindOfFile(f.path, { noFollow: true })).kind === "dump") dumps.push(f);
  const dump = preferred(dumps, dumpNames);
  const log = preferred(
    complete.filter((f) => logNames.some((n) => n.test(f.name)) && !dumps.includes(f)),
    logNames,
  );
  if (dump !== undefined) {
    const plan: EntryPlan = { action: "send", file: dump.path, kind: "dump", fingerprint: print };
    if (log !== undefined) plan.fallback = log.path;
    return plan;
  }
  if (log !== undefined)
    return { action: "send", file: log.path, kind: "text", fingerprint: print };
  return { action: "nothing", why: "no complete dump or kernel log in it" };
}

/** why the files are not finished yet, or undefined when they are */
function stillWritten(files: readonly FileInfo[], timing: Timing): string | undefined {
  for (const f of files) {
    const age = timing.now - f.stats.mtimeMs;
    if (INCOMPLETE.test(f.name) && age < timing.abandonMs) return `being saved (${f.name})`;
  }
  for (const f of files) {
    const age = timing.now - f.stats.mtimeMs;
    if (age < timing.settleMs)
      return `${f.name} changed ${Math.max(0, Math.round(age / 1000))} s ago`;
  }
  return undefined;
}

function preferred(files: readonly FileInfo[], names: readonly RegExp[]): FileInfo | undefined {
  const rank = (f: FileInfo) => {
    const at = names.findIndex((n) => n.test(f.name));
    return at < 0 ? names.length : at;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1))[0];
}

/** names, sizes and modification times: what changes when a crash's files do */
export function fingerprint(files: readonly FileInfo[]): string {
  const lines = files
    .map((f) => `${f.name}\0${f.stats.size}\0${Math.trunc(f.stats.mtimeMs)}`)
    .sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}
