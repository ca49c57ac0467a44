/**
 * @module oops/fields/handlers
 * The line handlers of the report builder, as a table: each recognises one kind of report
 * line (RIP/pc, registers, Code:, the CPU/PID line, hardware, modules, panic, Oops code,
 * #PF, workqueue, KASLR offset, CPU) and records what it says with the line it came from.
 */
import type { KernelLine } from "../../text/kernel-line.js";
import { type ArchSpec, archSpecs } from "../arch/index.js";
import type { Location, Report } from "../report.js";
import { CODE_LINE, parseCode } from "./code.js";
import { OOPS_LINE, PANIC_LINE, PF_CODE_LINE, PF_LINE } from "./fault.js";
import { bracketAddress, hexAddress, parseLocation } from "./location.js";
import { MODULES_LINE, parseModules } from "./modules.js";
import { parseTaskLine } from "./task-line.js";
import type { TraceState } from "./trace.js";

/** a register value as printed: hex digits, with or without 0x */
const HEX_VALUE = /^(?:0x)?[0-9a-f]+$/i;

/** What the builder knows while it reads a report's lines. */
export interface Draft {
  report: Report;
  arch?: ArchSpec;
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

/** One line handler: returns true when it consumed the line. */
export type Handler = (text: string, line: KernelLine, draft: Draft) => boolean;

/** "---[ end trace …]---" and "---[ end Kernel panic …]---" */
export const END_MARKER = /---\[ end (?:trace|Kernel panic)/;

export const handlers: readonly Handler[] = [
  // the program counter line of any architecture
  (text, line, draft) => {
    for (const arch of draft.arch ? [draft.arch] : archSpecs) {
      for (const ipLine of arch.ipLines) {
        const m = ipLine.exec(text);
        if (!m) continue;
        draft.arch ??= arch;
        if (arch.userIp?.test(text)) {
          draft.userMode = true;
          return true;
        }
        draft.userMode = false;
        const loc = locate(m[1] ?? "");
        if (loc && !draft.report.ip) {
          draft.report.ip = { ...loc, line: line.no };
          draft.report.sourceLines.ip = line.no;
        }
        return true;
      }
    }
    return false;
  },
  // register dumps: the first kernel-mode block only (the dump is often printed twice)
  (text, line, draft) => {
    for (const arch of draft.arch ? [draft.arch] : archSpecs) {
      if (!arch.registerLine.test(text)) continue;
      draft.arch ??= arch;
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
    }
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
