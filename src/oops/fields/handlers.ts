/**
 * @module oops/fields/handlers
 * The line handlers of the report builder, as a table: each recognises one kind of report
 * line (RIP/pc, registers, Code:, the CPU/PID line, hardware, modules, panic, Oops code,
 * #PF, workqueue, KASLR offset, CPU) and records what it says with the line it came from.
 */
import type { KernelLine } from "../../text/kernel-line.js";
import { type ArchSpec, archSpecs, pointerLines, sharedIpLines } from "../arch/index.js";
import type { Location, Report } from "../report.js";
import { CODE_LINE, parseCode } from "./code.js";
import { OOPS_LINE, PANIC_LINE, PF_CODE_LINE, PF_LINE } from "./fault.js";
import { bracketAddress, hexAddress, parseLocation } from "./location.js";
import { MODULES_LINE, moduleContinuation, parseModules } from "./modules.js";
import { parseTaskLine } from "./task-line.js";
import type { TraceState } from "./trace.js";

/** a register value as printed: hex digits, with or without 0x */
const HEX_VALUE = /^(?:0x)?[0-9a-f]+$/i;

/** What the builder knows while it reads a report's lines. */
export interface Draft {
  report: Report;
  arch?: ArchSpec;
  /** `arch` is a guess from a line several architectures print (arch/index.ts sharedIpLines) */
  archGuessed?: boolean;
  /** hex digits of a kernel pointer the report printed (arch/index.ts pointerLines) */
  pointerDigits?: number;
  /** the last line of the "Modules linked in:" list read so far */
  modulesEnd?: number;
  /** the registers that follow belong to user space (after "RIP: 0033:") */
  userMode: boolean;
  registerBlock: "none" | "reading" | "done";
  traceState: TraceState;
  inTrace: boolean;
  traces: number;
  pfDescription: string[];
  oopsCode?: { value: number; line: number };
  lastBodyLine: number;
}

function locate(text: string): Location | undefined {
  const loc = parseLocation(text);
  const address = bracketAddress(text) ?? /^\s*(?:0x)?([0-9a-f]{8,16})\b/.exec(text)?.[1];
  if (!loc && !address) return undefined;
  const out: Location = {};
  if (loc) {
    out.symbol = loc.symbol as string;
    out.offset = loc.offset as number;
    if (loc.size !== undefined) out.size = loc.size;
    out.module = loc.module ?? null;
  }
  if (address) out.address = hexAddress(address);
  return out;
}

/** The architectures a line may belong to: the report's, unless that is only a guess. */
function candidates(draft: Draft): readonly ArchSpec[] {
  return draft.arch && !draft.archGuessed ? [draft.arch] : archSpecs;
}

/** A line only one architecture prints settles the report's architecture. */
function settle(draft: Draft, arch: ArchSpec): void {
  if (draft.arch && !draft.archGuessed) return;
  draft.arch = arch;
  draft.archGuessed = false;
}

/**
 * Records where the CPU was. The first pc line wins; a later one completes it when the two
 * halves are printed apart: i386 "EIP: 0060:[<f8e40765>] EFLAGS: …" then "EIP is at
 * wdev_priv.part.8+0x3/0x5 [wl]"; arm "PC is at shmem_getpage_gfp+0x584/0x72c" then
 * "pc : [<c0333330>]". The line cited is the one naming the function.
 */
function recordIp(draft: Draft, text: string, lineNo: number): void {
  const loc = locate(text);
  if (!loc) return;
  const { report } = draft;
  const ip = report.ip;
  if (!ip) {
    report.ip = { ...loc, line: lineNo };
    report.sourceLines.ip = lineNo;
    return;
  }
  const sameAddress = !loc.address || !ip.address || loc.address === ip.address;
  const sameSymbol = !loc.symbol || !ip.symbol || loc.symbol === ip.symbol;
  if (!sameAddress || !sameSymbol) return;
  if (ip.address === undefined && loc.address !== undefined) {
    ip.address = loc.address;
    report.sourceLines["ip.address"] = lineNo;
  }
  if (ip.symbol === undefined && loc.symbol !== undefined) {
    const { address: _address, ...named } = loc;
    if (ip.address !== undefined) report.sourceLines["ip.address"] ??= ip.line;
    report.ip = { ...ip, ...named, line: lineNo };
    report.sourceLines.ip = lineNo;
  }
}

/** One line handler: returns true when it consumed the line. */
export type Handler = (text: string, line: KernelLine, draft: Draft) => boolean;

/** "---[ end trace …]---" and "---[ end Kernel panic …]---" */
export const END_MARKER = /---\[ end (?:trace|Kernel panic)/;

/**
 * Lines a stall report prints about itself between its header and its first trace: which
 * CPUs or tasks hold up the grace period, who detected it, the NMIs sent for backtraces. They
 * carry no field of the model, but they are the report's body (rules read them as evidence).
 */
const STALL_DETAIL = [
  // "rcu: \t0-...0: (1 GPs behind) idle=…", "\t1-....: (1 GPs behind)"
  /^\s*(?:rcu:\s+)?\d+-\.\.\.\S*:? /,
  /^\s*(?:rcu:\s+)?\((?:detected by \d+, )?t=\d+ jiffies/,
  /^\s*(?:rcu:\s+)?Tasks blocked on level-\d+ rcu_node/,
  /^\s*(?:rcu:\s+)?rcu_\w+ kthread (?:starved|timer wakeup)/,
  /^\s*Sending NMI from CPU \d+ to CPUs/,
];

export const handlers: readonly Handler[] = [
  // a pointer's width, for guessing between architectures later; the line stays unread
  (text, _line, draft) => {
    for (const re of pointerLines) {
      const m = re.exec(text);
      if (m) draft.pointerDigits ??= (m[1] as string).length;
    }
    return false;
  },
  // the program counter line of any architecture
  (text, line, draft) => {
    for (const arch of candidates(draft)) {
      for (const ipLine of arch.ipLines) {
        const m = ipLine.exec(text);
        if (!m) continue;
        settle(draft, arch);
        if (arch.userIp?.test(text)) {
          draft.userMode = true;
          return true;
        }
        draft.userMode = false;
        recordIp(draft, m[1] ?? "", line.no);
        return true;
      }
    }
    for (const shared of sharedIpLines) {
      const m = shared.line.exec(text);
      if (!m) continue;
      if (!draft.arch) {
        const release = draft.report.kernel.release ?? "";
        const specs = shared.arches.flatMap((id) => archSpecs.filter((a) => a.id === id));
        draft.arch =
          specs.find((a) => a.release.test(release)) ??
          specs.find((a) => a.pointerDigits === draft.pointerDigits) ??
          specs[0];
        draft.archGuessed = true;
      }
      draft.userMode = false;
      recordIp(draft, m[1] ?? "", line.no);
      return true;
    }
    return false;
  },
  // register dumps: the first kernel-mode block only (the dump is often printed twice)
  (text, line, draft) => {
    for (const arch of candidates(draft)) {
      if (!arch.registerLine.test(text)) continue;
      settle(draft, arch);
      if (draft.userMode || draft.registerBlock === "done") return true;
      draft.registerBlock = "reading";
      for (const [name, value] of arch.registers(text, draft.report.registers)) {
        if (draft.report.registers[name] !== undefined) continue;
        // the contract is hex; a value a transport damaged ("0000=" of quoted-printable) is
        // not a register value
        if (!HEX_VALUE.test(value)) continue;
        draft.report.registers[name] = hexAddress(value);
        draft.report.sourceLines[`registers.${name}`] = line.no;
      }
      return true;
    }
    return false;
  },
  (text, line, draft) => {
    const m = CODE_LINE.exec(text);
    if (!m) return false;
    if (!draft.userMode && !draft.report.code) {
      const code = parseCode(m[1] as string);
      if (code) {
        draft.report.code = { ...code, line: line.no };
        draft.report.sourceLines.code = line.no;
      }
    }
    return true;
  },
  (text, line, draft) => {
    const parsed = parseTaskLine(text);
    if (!parsed) return false;
    const { report } = draft;
    if (report.kernel.release === undefined) {
      report.kernel = {
        ...parsed.kernel,
        ...(report.kernel.hardware ? { hardware: report.kernel.hardware } : {}),
      };
      report.sourceLines["kernel.release"] = line.no;
      if (parsed.kernel.tainted) report.sourceLines["kernel.tainted"] = line.no;
      else report.sourceLines["kernel.notTainted"] = line.no;
      if (parsed.kernel.hardware) report.sourceLines["kernel.hardware"] = line.no;
    }
    for (const key of ["pid", "comm", "cpu"] as const) {
      if (parsed.task[key] !== undefined && report.task[key] === undefined) {
        (report.task as Record<string, unknown>)[key] = parsed.task[key];
        report.sourceLines[`task.${key}`] = line.no;
      }
    }
    return true;
  },
  (text, line, draft) => {
    const m = /^\s*Hardware name: (.*)$/.exec(text);
    if (!m) return false;
    draft.report.kernel.hardware ??= (m[1] as string).trim();
    draft.report.sourceLines["kernel.hardware"] ??= line.no;
    return true;
  },
  (text, line, draft) => {
    const m = MODULES_LINE.exec(text);
    if (!m) return false;
    if (draft.report.modules.length === 0) {
      draft.report.modules = parseModules(m[1] as string);
      draft.report.sourceLines.modules = line.no;
      draft.modulesEnd = line.no;
    }
    return true;
  },
  // the tail of a module list the console wrapped onto a line of its own (" pinctrl_amd"),
  // right after the list: nothing else was read since it
  (text, line, draft) => {
    if (draft.modulesEnd === undefined || draft.lastBodyLine !== draft.modulesEnd) return false;
    if (line.time !== undefined || !moduleContinuation(text)) return false;
    draft.report.modules.push(...parseModules(text));
    draft.modulesEnd = line.no;
    return true;
  },
  (text, line, draft) => {
    const m = PANIC_LINE.exec(text);
    if (!m || END_MARKER.test(text)) return false;
    draft.report.panic ??= { message: (m[1] as string).trim(), line: line.no };
    return true;
  },
  (text, line, draft) => {
    const m = OOPS_LINE.exec(text);
    if (!m) return false;
    draft.oopsCode ??= { value: Number.parseInt(m[1] as string, 16), line: line.no };
    return true;
  },
  (text, line, draft) => {
    const code = PF_CODE_LINE.exec(text);
    if (code) draft.oopsCode = { value: Number.parseInt(code[1] as string, 16), line: line.no };
    const m = PF_LINE.exec(text);
    if (!m) return false;
    draft.pfDescription.push((m[1] as string).trim());
    draft.report.sourceLines.errorCode ??= line.no;
    return true;
  },
  (text, line, draft) => {
    const m = /^\s*Workqueue: (\S+) (\S+)/.exec(text);
    if (!m) return false;
    draft.report.task.workqueue = `${m[1]} ${m[2]}`;
    draft.report.sourceLines["task.workqueue"] = line.no;
    return true;
  },
  (text, line, draft) => {
    const m = /^\s*Kernel Offset: (0x[0-9a-f]+|disabled)/.exec(text);
    if (!m) return false;
    draft.report.kernel.offset = m[1] as string;
    draft.report.sourceLines["kernel.offset"] = line.no;
    return true;
  },
  (text) => STALL_DETAIL.some((re) => re.test(text)),
  (text, line, draft) => {
    const m = /^\s*CPU (\d+)\s*$/.exec(text);
    if (!m) return false;
    if (draft.report.task.cpu === undefined) {
      draft.report.task.cpu = Number(m[1]);
      draft.report.sourceLines["task.cpu"] = line.no;
    }
    return true;
  },
];
