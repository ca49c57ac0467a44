/**
 * @module diagnose/culprit/report-lines
 * What the culprit rules read from a report's own lines beyond the parsed fields: the link
 * register and s390's breaking-event address, the function a WARNING/assertion header
 * names, lockdep's "already holding" site, the hung-task blocker line, the RCU stall's
 * blocked tasks, and the module a symbol is printed with.
 * Each reader is a small table of line shapes; lines are read without logger prefixes.
 */
import { parseLocation } from "../../oops/fields/location.js";
import type { Frame, Report } from "../../oops/report.js";
import { stripPrefixes } from "../../text/index.js";

export type Lines = ReadonlyMap<number, string>;

export interface NumberedText {
  line: number;
  text: string;
}

/** The report's lines, prefixes removed, in order. */
export function reportLines(report: Report, lines: Lines | undefined): NumberedText[] {
  if (!lines) return [];
  const out: NumberedText[] = [];
  for (let n = report.lines.start; n <= report.lines.end; n++) {
    const raw = lines.get(n);
    if (raw !== undefined) out.push({ line: n, text: stripPrefixes(raw).text });
  }
  return out;
}

function frameAt(text: string, line: number): Frame | undefined {
  const loc = parseLocation(text);
  if (!loc?.symbol) return undefined;
  return {
    symbol: loc.symbol,
    offset: loc.offset,
    module: loc.module ?? null,
    reliable: true,
    context: "task",
    line,
  };
}

/** Where the link register (arm, arm64, ppc, riscv) says the faulting function was called from. */
const LINK_REGISTER: readonly RegExp[] = [
  /^\s*LR is at (\S+)/,
  /^\s*lr\s*:\s*([A-Za-z_.][\w.]*\+0x[0-9a-f]+\/0x[0-9a-f]+(?:\s+\[[\w-]+\])?)/,
  /^\s*LR \[[0-9a-f]+\] (\S+(?:\s+\[[\w-]+\])?)/,
  /^\s*ra\s*:\s*([A-Za-z_.][\w.]*\+0x[0-9a-f]+\/0x[0-9a-f]+(?:\s+\[[\w-]+\])?)/,
];

export function linkRegisterFrame(rows: readonly NumberedText[]): Frame | undefined {
  for (const { text, line } of rows) {
    for (const re of LINK_REGISTER) {
      const m = re.exec(text);
      if (m) return frameAt(m[1] as string, line);
    }
  }
  return undefined;
}

/** s390: "Last Breaking-Event-Address:" and, on its line or the next, the branch source. */
export function breakingEventFrame(rows: readonly NumberedText[]): Frame | undefined {
  const at = rows.findIndex((r) => /Last Breaking-Event-Address:/.test(r.text));
  if (at < 0) return undefined;
  for (const row of rows.slice(at, at + 2)) {
    const after = row.text.replace(/^.*Last Breaking-Event-Address:/, "");
    const frame = frameAt(after, row.line);
    if (frame) return frame;
  }
  return undefined;
}

/** Reporting functions of checkers whose message line names the site they checked. */
export const CHECKER_REPORTERS = /^(?:refcount_error_report|ex_handler_refcount)$/;

/** Header shapes that name the function the assertion or check fired in. */
const HEADER_SITES: readonly RegExp[] = [
  // WARNING: CPU: 1 PID: 7692 at path/file.c:62 func+0x44/0x70 [mod]; WARNING: at f.c:1 func()
  /\bWARNING: (?:CPU: ?\d+ PID: ?\d+ )?at \S+:\d+ (?<loc>[A-Za-z_.][\w.]*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?:\s+\[[\w-]+\])?)/,
  // OpenZFS/SPL: PANIC at zio.c:3759:zio_done()
  /\bPANIC at [\w./-]+:\d+:(?<fn>[A-Za-z_]\w*)\(\)/,
  // SPLError: 23061:0:(zfs_znode.c:432:zfs_znode_alloc()) SPL PANIC
  /SPLError: [\d:]+\([\w./-]+:\d+:(?<fn>[A-Za-z_]\w*)\(\)\)/,
  // x86's fast refcount (4.13-5.4) names the function that did the put or get:
  // "refcount_t hit zero at __nft_mt_tg_destroy+0x20/0x30 [nft_compat] in kworker/u4:4[103]"
  /\brefcount_t (?:hit zero|overflow|underflow|saturated) at (?<loc>[A-Za-z_.][\w.]*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?:\s+\[[\w-]+\])?)/,
  // sanitizers name the accessing function: "BUG: KASAN: slab-use-after-free in f+0x9e/0x2e0
  // [mod]", "BUG: KFENCE: use-after-free read in f+0x132/0x270", "BUG: KCSAN: data-race in f"
  /\bBUG: K(?:ASAN|FENCE|MSAN|CSAN): [\w -]+? in (?<loc>[A-Za-z_.][\w.]*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?:\s+\[[\w-]+\])?)/,
  // Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: start_kernel+0x…
  /stack-protector: Kernel stack is corrupted in:\s*(?<loc>[A-Za-z_.][\w.]*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?)/,
];

/** The function the report's header (or a line of its opening) names as the site. */
export function headerSiteFrame(report: Report, rows: readonly NumberedText[]): Frame | undefined {
  const texts: NumberedText[] = [
    { line: report.header.line, text: report.header.text },
    ...(report.leadIn ?? []),
    ...rows.slice(0, 4),
  ];
  for (const { text, line } of texts) {
    for (const re of HEADER_SITES) {
      const m = re.exec(text);
      if (!m?.groups) continue;
      if (m.groups.fn) {
        return { symbol: m.groups.fn, module: null, reliable: true, context: "task", line };
      }
      const frame = frameAt(
        `${m.groups.loc}${/\+0x/.test(m.groups.loc ?? "") ? "" : "+0x0"}`,
        line,
      );
      // a checker's reporting function is where it printed, not what it checked: its
      // message line (read next) names the site
      if (frame && !CHECKER_REPORTERS.test(frame.symbol ?? "")) return frame;
    }
  }
  return undefined;
}

/** A `name+off/size [module]` or 2.6-style `:module:name+off` anywhere in the report's lines. */
export function moduleOf(
  symbol: string,
  report: Report,
  rows: readonly NumberedText[],
): string | null {
  const fromTrace = report.trace.find((f) => f.symbol === symbol && f.module)?.module;
  if (fromTrace) return fromTrace;
  const escaped = symbol.replace(/[.$]/g, "\\$&");
  const after = new RegExp(
    `(?<![\\w.])${escaped}\\+0x[0-9a-f]+(?:/0x[0-9a-f]+)?\\s+\\[([\\w-]+)\\]`,
  );
  const before = new RegExp(`:([\\w-]+):${escaped}\\+0x`);
  for (const { text } of rows) {
    const m = after.exec(text) ?? before.exec(text);
    if (m) return m[1] as string;
  }
  return null;
}

/** lockdep "possible recursive locking": the site of the instance the task already holds. */
export function lockdepHeldSite(rows: readonly NumberedText[]): Frame | undefined {
  const at = rows.findIndex((r) => /but task is already holding lock:/.test(r.text));
  if (at < 0) return undefined;
  // the lock line, possibly wrapped after "at:" or after the address
  const joined = rows
    .slice(at + 1, at + 4)
    .map((r) => r.text.trim())
    .join(" ");
  const m = /\bat:\s*(?:\[<[0-9a-f]+>\]\s*)?(.*)$/.exec(joined);
  return m ? frameAt(m[1] as string, rows[at + 1]?.line ?? 0) : undefined;
}

/** "INFO: task cat:1803 blocked on a semaphore likely last held by task cat:1802" */
export function hungTaskBlocker(
  rows: readonly NumberedText[],
): { line: number; comm: string; pid: number; text: string } | undefined {
  for (const { text, line } of rows) {
    const m = /blocked on an? [\w -]+? (?:likely )?(?:last held|owned) by task (\S+):(\d+)/.exec(
      text,
    );
    if (m) return { line, comm: m[1] as string, pid: Number(m[2]), text };
  }
  return undefined;
}

/** RCU: "Tasks blocked on level-0 rcu_node (CPUs 0-3): P8015/1:b..l" → [8015]. */
export function rcuBlockedPids(rows: readonly NumberedText[]): number[] {
  for (const { text } of rows) {
    if (!/Tasks blocked on/.test(text)) continue;
    const list = text.replace(/^.*Tasks blocked on[^:]*\):/, "");
    return [...list.matchAll(/\bP(\d+)/g)].map((m) => Number(m[1]));
  }
  return [];
}

/** A line that is one stack frame: "[<addr>] name+0x1/0x2 [mod]", "? name+…", "RIP: 0010:name+…". */
const FRAME_LINE =
  /^\s*(?:RIP: [0-9a-f]{4}:|\[<[0-9a-f]+>\]\s*)?(\?\s+)?([A-Za-z_.][\w.]*\+0x[0-9a-f]+\/0x[0-9a-f]+(?:\s+\[[\w-]+(?:\s+[0-9a-f]+)?\])?)(?:\s+\([A-Z]\))?\s*$/;

/** The reliable frames printed on the report's lines after a given line, in order. */
export function framesAfter(rows: readonly NumberedText[], after: number): Frame[] {
  const out: Frame[] = [];
  for (const row of rows) {
    if (row.line <= after) continue;
    const m = FRAME_LINE.exec(row.text);
    if (!m || m[1]) continue;
    const frame = frameAt(m[2] as string, row.line);
    if (frame) out.push(frame);
  }
  return out;
}
