/**
 * @module diagnose/culprit/stack
 * The frames of the event, top down, as the culprit walk reads them:
 * - the RIP/pc; when it is 0 (a NULL function pointer was called) the function that made
 *   the call instead: s390's breaking-event address, else the link register;
 * - without a RIP/pc, the function the header names as the site (WARNING at …, OpenZFS
 *   PANIC at file:line:func(), stack-protector "corrupted in: func");
 * - the reliable trace, with the callers an x86 unwinder printed as `?` entries between the
 *   exception entry's copy of the RIP and the first reliable frame (it lost track at the
 *   exception frame, and they are the faulting function's callers);
 * - when the trace is missing, the link register: the return address into the caller.
 */
import { baseSymbol } from "../../oops/fields/location.js";
import type { Frame, Report } from "../../oops/report.js";
import {
  breakingEventFrame,
  CHECKER_REPORTERS,
  headerSiteFrame,
  linkRegisterFrame,
  type NumberedText,
} from "./report-lines.js";

export interface EventFrames {
  frames: Frame[];
  /** the frame the CPU faulted in, when the report printed one */
  ipFrame?: Frame;
  /** why a frame that is not the RIP nor a trace entry is on the list: rule id and reason */
  origin: Map<Frame, { id: string; why: string }>;
}

const EXCEPTION_ENTRY = /^(?:asm_exc_\w+|exc_\w+|page_fault|general_protection|invalid_op)$/;

/** The RIP/pc is in the first page: execution jumped through a NULL function pointer. */
function calledNull(report: Report, rows: readonly NumberedText[]): boolean {
  if (report.ip?.symbol) return false;
  // the first page: a NULL pointer, or a member a few bytes into a NULL structure
  const address = report.ip?.address;
  if (address !== undefined && /^0x[0-9a-f]{1,16}$/.test(address) && BigInt(address) < 4096n)
    return true;
  return rows.some(
    (r) =>
      /Krnl PSW : [0-9a-f]+ 0+ \(0x0\)/.test(r.text) ||
      /^\s*(?:PC is at 0x0|pc\s*:\s*(?:\[<)?0+(?:>\])?\s)/.test(r.text) ||
      /^\s*RIP: [0-9a-f]{4}:(?:\[<)?0+(?:>\])?\s*$|RIP: [0-9a-f]{4}:0x0\b/.test(r.text),
  );
}

/** `?` entries under the exception entry's copy of the RIP, up to the first reliable frame. */
function recoveredCallers(report: Report): Frame[] {
  const ip = report.ip?.symbol;
  if (!ip) return [];
  const trace = report.trace;
  const firstReliable = trace.findIndex((f) => f.reliable);
  const echo = trace.findIndex(
    (f, i) =>
      !f.reliable &&
      f.symbol === ip &&
      (firstReliable < 0 || i < firstReliable) &&
      trace.slice(0, i).some((g) => EXCEPTION_ENTRY.test(baseSymbol(g.symbol ?? ""))),
  );
  if (echo < 0) return [];
  const end = firstReliable < 0 ? trace.length : firstReliable;
  return trace.slice(echo + 1, end).filter((f) => f.symbol && f.symbol !== ip);
}

export function eventFrames(report: Report, rows: readonly NumberedText[]): EventFrames {
  const origin = new Map<Frame, { id: string; why: string }>();
  const context = report.trace[0]?.context ?? "task";
  const frames: Frame[] = [];
  let ipFrame: Frame | undefined;
  const trace = report.trace.filter((f) => f.reliable);

  if (report.ip?.symbol) {
    ipFrame = { ...report.ip, reliable: true, context, line: report.ip.line };
    frames.push(ipFrame);
    // a checker's own reporting function at the RIP ("refcount_t hit zero at F" above the
    // WARN in refcount_error_report): the site its message names is where the check fired
    const site = CHECKER_REPORTERS.test(baseSymbol(ipFrame.symbol ?? ""))
      ? headerSiteFrame(report, rows)
      : undefined;
    if (site) {
      const frame = { ...site, context };
      origin.set(frame, {
        id: "header-site",
        why: "the checker's message names it as the site of the check that fired",
      });
      frames.push(frame);
    }
    for (const frame of recoveredCallers(report)) {
      origin.set(frame, {
        id: "recovered-callers",
        why: "the unwinder printed it with '?' under the exception entry's copy of the RIP: a caller of the function that faulted",
      });
      frames.push(frame);
    }
  } else if (calledNull(report, rows)) {
    const caller = breakingEventFrame(rows) ?? linkRegisterFrame(rows);
    if (caller) {
      const frame = { ...caller, context };
      origin.set(frame, {
        id: "null-call-caller",
        why: "the CPU jumped into the first page (through a NULL function pointer) and this function made the call",
      });
      frames.push(frame);
    }
  } else {
    const site = headerSiteFrame(report, rows);
    if (site) {
      const frame = { ...site, context };
      origin.set(frame, {
        id: "header-site",
        why: "the report's header names it as the site of the check that fired",
      });
      frames.push(frame);
    }
  }
  frames.push(...trace);

  if (trace.length === 0 && ipFrame) {
    const lr = linkRegisterFrame(rows);
    if (lr && lr.symbol !== ipFrame.symbol) {
      const frame = { ...lr, context };
      origin.set(frame, {
        id: "link-register",
        why: "the link register says it called the function that faulted (the trace is missing)",
      });
      frames.push(frame);
    }
  }
  return ipFrame ? { frames, ipFrame, origin } : { frames, origin };
}
