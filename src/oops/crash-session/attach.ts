/**
 * @module oops/crash-session/attach
 * Joins crash-session facts to the report they describe (by the `sys` PANIC string, by the
 * exception RIP, or because it is the only report), filling what the log excerpt lacks;
 * a session with no log report becomes a report of its own.
 */

import { parseFaultAddress } from "../fields/fault.js";
import { hexAddress } from "../fields/location.js";
import { findHeader } from "../headers.js";
import type { Frame, FrameContext, Report } from "../report.js";
import { describe } from "../title/describe.js";
import type { Backtrace, ExceptionFrame, Session } from "./session.js";

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

/** Frames only the crashing CPU has: the oops and panic path into kexec. */
const CRASH_PATH =
  /^(?:__?crash_kexec|oops_end|panic|vpanic|die|__die\w*|no_context|page_fault_oops|kernelmode_fixup_or_oops|do_trap)$/;
/** Frames of the other CPUs, stopped by an NMI when the crashing one called kexec. */
const STOPPED_CPU = /^(?:crash_nmi_callback|do_nmi|nmi_handle|default_do_nmi|exc_nmi)$/;

/** asked for by attaching and by the diagnosis: chosen once per session */
const chosen = new WeakMap<Session, Backtrace | undefined>();

/**
 * The backtrace of the panicking task (`bt -a` prints one per CPU): the one on the crash
 * path into kexec, not a CPU that an NMI stopped; else one with an exception frame; else the first.
 */
export function panicBacktrace(session: Session): Backtrace | undefined {
  if (!chosen.has(session)) chosen.set(session, choosePanicBacktrace(session.backtraces));
  return chosen.get(session);
}

function choosePanicBacktrace(backtraces: readonly Backtrace[]): Backtrace | undefined {
  const has = (bt: Backtrace, re: RegExp) => bt.frames.some((f) => re.test(f.symbol));
  const running = backtraces.filter((bt) => !has(bt, STOPPED_CPU));
  return (
    running.find((bt) => has(bt, CRASH_PATH)) ??
    running.find((bt) => bt.exceptions.length > 0) ??
    backtraces.find((bt) => bt.exceptions.length > 0) ??
    backtraces[0]
  );
}

function stackContext(name: string): FrameContext {
  if (/NMI/i.test(name)) return "nmi";
  if (/soft ?IRQ/i.test(name)) return "softirq";
  if (/IRQ/i.test(name)) return "irq";
  return "exception";
}

/**
 * The frames of a crash backtrace that belong to the crash: those after the first
 * exception frame (the ones before it are the oops machinery), with the code an
 * interrupt stopped inserted where crash printed its exception RIP.
 */
export function crashTrace(bt: Backtrace): { frames: Frame[]; fault?: ExceptionFrame } {
  const fault = bt.exceptions[0];
  const start = fault?.afterFrame ?? -1;
  const frames: Frame[] = [];
  for (const frame of bt.frames) {
    if (frame.index <= start) continue;
    const switchAfter = bt.stackSwitches.find((s) => s.afterFrame >= frame.index);
    const context: FrameContext = switchAfter ? stackContext(switchAfter.stack) : "task";
    const out: Frame = {
      symbol: frame.symbol,
      reliable: true,
      context,
      line: frame.line,
      module: frame.module ?? null,
    };
    if (frame.offset !== undefined) out.offset = frame.offset;
    if (frame.address) out.address = hexAddress(frame.address);
    frames.push(out);
    const interrupted = bt.exceptions.find((e) => e !== fault && e.afterFrame === frame.index);
    if (interrupted) {
      const stopped: Frame = {
        symbol: interrupted.symbol,
        reliable: true,
        context,
        line: interrupted.line,
        module: null,
      };
      if (interrupted.offset !== undefined) stopped.offset = interrupted.offset;
      if (interrupted.registers.rip) stopped.address = interrupted.registers.rip;
      frames.push(stopped);
    }
  }
  return fault ? { frames, fault } : { frames };
}

/** "/usr/lib/debug/lib/modules/3.10.0-514.26.2.el7.x86_64/vmlinux" → the release */
function releaseOf(session: Session): string | undefined {
  if (session.sys.RELEASE) return session.sys.RELEASE;
  return /\/modules\/([^/]+)\//.exec(session.sys.KERNEL ?? "")?.[1];
}

function findTarget(reports: Report[], session: Session): Report | undefined {
  const panic = session.sys.PANIC ? squash(session.sys.PANIC) : undefined;
  if (panic) {
    const byPanic = reports.find(
      (r) => squash(r.header.text).startsWith(panic) || panic.startsWith(squash(r.header.text)),
    );
    if (byPanic) return byPanic;
  }
  const fault = panicBacktrace(session)?.exceptions[0];
  if (fault) {
    const byIp = reports.find((r) => r.ip?.symbol === fault.symbol);
    if (byIp) return byIp;
  }
  return reports.length === 1 ? reports[0] : undefined;
}

/** Fills fields the log excerpt did not hold from the session. */
function merge(report: Report, session: Session): void {
  report.session = session;
  const bt = panicBacktrace(session);
  if (bt) {
    const { frames, fault } = crashTrace(bt);
    if (report.task.pid === undefined && bt.pid !== undefined) report.task.pid = bt.pid;
    if (report.task.comm === undefined && bt.command !== undefined) report.task.comm = bt.command;
    if (report.task.cpu === undefined && bt.cpu !== undefined) report.task.cpu = bt.cpu;
    if (report.trace.length === 0 && frames.length > 0) {
      report.trace = frames;
      if (report.corrupted && /stack trace|call trace|frames/.test(report.corruptedReason ?? "")) {
        report.corrupted = false;
        delete report.corruptedReason;
        report.warnings.push(
          `the log excerpt has no call trace; the trace is crash's backtrace (line ${bt.line})`,
        );
      }
    }
    if (fault) {
      if (Object.keys(report.registers).length === 0) {
        report.registers = { ...fault.registers };
        for (const name of Object.keys(fault.registers)) {
          report.sourceLines[`registers.${name}`] = fault.registerLines[name] ?? fault.line;
        }
      }
      if (!report.ip) {
        report.ip = { symbol: fault.symbol, module: null, line: fault.line };
        if (fault.offset !== undefined) report.ip.offset = fault.offset;
        if (fault.registers.rip) report.ip.address = fault.registers.rip;
        report.sourceLines.ip = fault.line;
      }
    }
  }
  report.kernel.release ??= releaseOf(session);
  if (
    report.arch === "unknown" &&
    /x86_64/.test(session.sys.MACHINE ?? report.kernel.release ?? "")
  ) {
    report.arch = "x86_64";
  }
}

/** A report made from a session alone (a pasted `sys` + `bt` with no log excerpt). */
function sessionReport(session: Session): Report | undefined {
  const bt = panicBacktrace(session);
  const panic = session.sys.PANIC;
  if (!panic && !bt?.exceptions.length) return undefined;
  const headerText = panic ?? `exception at ${bt?.exceptions[0]?.symbol}`;
  const headerLine = session.sysLines.PANIC ?? bt?.line ?? session.lines.start;
  const { frames, fault } = bt ? crashTrace(bt) : { frames: [] as Frame[], fault: undefined };
  // the title engine reads log text, so the session is rendered as the oops it stands for
  const pseudo = [
    headerText,
    fault ? `RIP: 0010:${fault.symbol}+0x${(fault.offset ?? 0).toString(16)}/0x0` : "",
    "Call Trace:",
    ...frames.map((f) => ` ${f.symbol}+0x${(f.offset ?? 0).toString(16)}/0x0`),
  ].join("\n");
  const header = findHeader({
    no: headerLine,
    text: headerText,
    raw: headerText,
    origin: "kernel",
  });
  const description = header ? describe(`${pseudo}\n`, header.group) : undefined;
  const report: Report = {
    kind: description?.format?.kind ?? "other",
    title: description?.title ?? squash(headerText),
    altTitles: description?.altTitles ?? [],
    corrupted: false,
    lines: { start: session.lines.start, end: session.lines.end },
    arch: "unknown",
    header: { text: headerText, line: headerLine },
    kernel: { taints: [] },
    task: {},
    registers: {},
    trace: [],
    modules: [],
    warnings: ["built from a crash session: there is no log excerpt of the oops"],
    sourceLines: { header: headerLine },
  };
  const faultAddress = parseFaultAddress(headerText);
  if (faultAddress) report.faultAddress = faultAddress;
  merge(report, session);
  return report;
}

export function attachSessions(reports: Report[], sessions: readonly Session[]): Report[] {
  const out = [...reports];
  for (const session of sessions) {
    const target = findTarget(reports, session);
    if (target && !target.session) merge(target, session);
    else {
      const own = sessionReport(session);
      if (own) out.push(own);
    }
  }
  return out;
}
