/**
 * @module oops/crash-session/reader
 * Recognises pasted `crash` sessions in the line stream and collects their facts. A session
 * is found by its prompts ("crash> bt") or, for pastes without them, by the shapes of `sys`
 * and `bt` output. Output of `crash> log` is kernel log, so it is handed back to the report
 * parser; everything else a session prints is consumed here.
 */
import type { KernelLine } from "../../text/kernel-line.js";
import { findHeader } from "../headers.js";
import type { Backtrace, Session, StructDump } from "./session.js";
import {
  BT_EXCEPTION,
  BT_FRAME,
  BT_HEADER,
  BT_REGISTER_PAIR,
  BT_REGISTERS,
  BT_STACK_SWITCH,
  CLOSE_BRACE,
  DIS_LINE,
  DIS_SOURCE,
  EVAL_LINE,
  KMEM_OFFSET,
  MEMBER,
  PRINT_VALUE,
  PROMPT,
  STACK_WORDS,
  STRUCT_OPEN,
  SYS_OPENERS,
  SYS_TASK_FIELDS,
} from "./shapes.js";

/** A crash report header with nothing but indentation before it: a pasted oops, not output. */
function startsReport(line: KernelLine): boolean {
  const header = findHeader(line);
  return header !== undefined && line.text.slice(0, header.index).trim() === "";
}

/** Commands whose output is kernel log text. */
const LOG_COMMANDS = new Set(["log", "dmesg"]);

function newSession(no: number): Session {
  return {
    lines: { start: no, end: no },
    commands: [],
    sys: {},
    sysLines: {},
    backtraces: [],
    disassembly: [],
    structs: [],
    memory: [],
    values: {},
  };
}

/** Strips paste decorations from a disassembled instruction and folds its spaces. */
function cleanInstruction(text: string): string {
  let out = text;
  const comment = out.indexOf("//"); // a reader's comment
  if (comment !== -1) out = out.slice(0, comment);
  out = out.replace("[FTRACE NOP]", "");
  const note = out.search(/[^\x20-\x7e]/); // emoji and notes after the instruction
  if (note !== -1) out = out.slice(0, note);
  out = out.trim().replace(/\s\?\w*\?$/, ""); // "?null?" marks
  return out.trim().replace(/\s+/, " ").replace(/,\s+/g, ",");
}

/** "/usr/src/debug/kernel-3.10.0/linux-3.10.0.x86_64/kernel/timer.c" → "kernel/timer.c" */
function shortSource(path: string): string {
  const m = /\/linux-[^/]+\/(.+)$/.exec(path);
  return m ? (m[1] as string) : path;
}

export class SessionReader {
  private session: Session | undefined;
  private readonly sessions: Session[] = [];
  private readonly texts = new Map<number, string>();
  /** the command whose output is being read; "sys*"/"bt*" when inferred from shapes */
  private command: string | undefined;
  private backtrace: Backtrace | undefined;
  private pendingSource: string | undefined;
  private struct:
    | { dump: StructDump; indent: number; path: Array<{ indent: number; name: string }> }
    | undefined;
  /** the current line continued the backtrace being read */
  private inBacktrace = false;

  /**
   * No command output is being read (none, or `log` whose output is kernel log) and no
   * backtrace or structure is open: a line takes part only if it has a session shape.
   */
  get atRest(): boolean {
    const idle = this.command === undefined || LOG_COMMANDS.has(this.command);
    return idle && this.struct === undefined && this.backtrace === undefined;
  }

  /** Takes the line if it belongs to a crash session. */
  push(line: KernelLine): boolean {
    const text = line.text;
    const prompt = PROMPT.exec(text);
    if (prompt) {
      this.startCommand(line, (prompt[1] as string).trim());
      return true;
    }
    if (line.origin !== "plain") return false;
    if (this.command !== undefined && LOG_COMMANDS.has(this.command)) return false;
    this.inBacktrace = false;
    const taken = this.readShape(line);
    // any other output ends a backtrace: a quoted "[exception RIP: …]" later is not part of it
    if (!this.inBacktrace) this.backtrace = undefined;
    if (taken) return true;
    if (this.command === undefined) return false;
    // unrecognised output of a prompted command (gdb list, notes); a report header ends it
    if (startsReport(line)) {
      this.command = undefined;
      return false;
    }
    this.touch(line);
    return true;
  }

  finish(): Session[] {
    this.endStruct();
    return this.sessions;
  }

  lineText(no: number): string | undefined {
    return this.texts.get(no);
  }

  private touch(line: KernelLine): Session {
    if (!this.session) {
      this.session = newSession(line.no);
      this.sessions.push(this.session);
    }
    this.session.lines.end = line.no;
    this.texts.set(line.no, line.raw);
    return this.session;
  }

  private startCommand(line: KernelLine, commandLine: string): void {
    const session = this.touch(line);
    this.endStruct();
    this.backtrace = undefined;
    this.pendingSource = undefined;
    const word = commandLine.split(/\s+/)[0] ?? "";
    this.command = word === "" ? undefined : word;
    if (word !== "") session.commands.push({ command: commandLine, line: line.no });
  }

  /** Reads one line of session output by its shape. */
  private readShape(line: KernelLine): boolean {
    const text = line.text;
    if (this.struct) return this.readStruct(line);

    const opener = SYS_OPENERS.exec(text);
    const sysTask =
      this.command === "sys" || this.command === "sys*" ? SYS_TASK_FIELDS.exec(text) : null;
    const sys = opener ?? sysTask;
    if (sys && !BT_HEADER.test(text)) {
      const session = this.touch(line);
      if (!this.command) this.command = "sys*";
      const key = sys[1] as string;
      session.sys[key] = (sys[2] as string).trim().replace(/^"(.*)"$/, "$1");
      session.sysLines[key] = line.no;
      return true;
    }

    const header = BT_HEADER.exec(text);
    if (header) {
      const session = this.touch(line);
      if (this.command !== "bt") this.command = "bt*";
      this.backtrace = {
        pid: Number(header[1]),
        task: header[2] as string,
        cpu: Number(header[3]),
        command: header[4] as string,
        frames: [],
        exceptions: [],
        stackSwitches: [],
        line: line.no,
      };
      session.backtraces.push(this.backtrace);
      this.inBacktrace = true;
      return true;
    }
    if (this.readBacktrace(line)) {
      this.inBacktrace = true;
      return true;
    }

    const dis = DIS_LINE.exec(text);
    if (dis) {
      const session = this.touch(line);
      const entry: Session["disassembly"][number] = {
        address: dis[1] as string,
        symbol: dis[2] as string,
        instruction: cleanInstruction(dis[4] as string),
        line: line.no,
      };
      if (dis[3] !== undefined) entry.offset = Number(dis[3]);
      if (this.pendingSource) entry.source = this.pendingSource;
      session.disassembly.push(entry);
      return true;
    }
    const source = DIS_SOURCE.exec(text);
    if (source && (this.command === "dis" || this.session?.disassembly.length)) {
      this.touch(line);
      this.pendingSource = `${shortSource(source[1] as string)}:${source[2]}`;
      return true;
    }

    const open = STRUCT_OPEN.exec(text);
    const printed = PRINT_VALUE.exec(text);
    if (open || printed?.[1]?.trim() === "{") {
      this.touch(line);
      const prompt = this.session?.commands.at(-1);
      const dump: StructDump = {
        expression: prompt?.command ?? text.trim(),
        fields: {},
        fieldLines: {},
        line: line.no,
      };
      if (open) dump.type = open[1] as string;
      const address = /\b(?:0x)?([0-9a-f]{12,16})\b/.exec(prompt?.command ?? "");
      if (address) dump.address = `0x${address[1]}`;
      this.struct = { dump, indent: /^ */.exec(text)?.[0].length ?? 0, path: [] };
      return true;
    }
    if (printed && this.command !== undefined) {
      const session = this.touch(line);
      session.values[this.session?.commands.at(-1)?.command ?? "p"] = (printed[1] as string).trim();
      return true;
    }

    const kmem = KMEM_OFFSET.exec(text);
    if (kmem && this.command !== undefined) {
      this.touch(line).values[`per_cpu_offset[${kmem[1]}]`] = `0x${kmem[2]}`;
      return true;
    }
    const evaluated = EVAL_LINE.exec(text);
    if (evaluated && this.command === "eval") {
      this.touch(line).values[`eval.${evaluated[1]}`] = (evaluated[2] as string).trim();
      return true;
    }
    if (STACK_WORDS.test(text) && this.command !== undefined) {
      const session = this.touch(line);
      // `bt -f`/`-FF` print stack words between frames
      if (this.backtrace) this.inBacktrace = true;
      const m = /^\s*([0-9a-f]+):\s+(.*)$/.exec(text);
      if (m && this.command === "rd") {
        session.memory.push({
          address: `0x${m[1]}`,
          values: (m[2] as string).trim().split(/\s+/),
          line: line.no,
        });
      }
      return true;
    }
    return false;
  }

  private readBacktrace(line: KernelLine): boolean {
    const bt = this.backtrace;
    const text = line.text;
    const frame = BT_FRAME.exec(text);
    if (frame) {
      if (!bt) return false;
      this.touch(line);
      const entry: Backtrace["frames"][number] = {
        index: Number(frame[1]),
        stack: frame[2] as string,
        symbol: frame[3] as string,
        address: `0x${frame[5]}`,
        line: line.no,
      };
      if (frame[4] !== undefined) entry.offset = Number(frame[4]);
      if (frame[6] !== undefined) entry.module = frame[6];
      // a frame printed twice by a paste accident is one frame
      if (bt.frames.at(-1)?.index !== entry.index) bt.frames.push(entry);
      return true;
    }
    if (!bt) return false;
    const exception = BT_EXCEPTION.exec(text);
    if (exception) {
      this.touch(line);
      const entry: Backtrace["exceptions"][number] = {
        symbol: exception[1] as string,
        registers: {},
        registerLines: {},
        line: line.no,
      };
      if (exception[2] !== undefined) entry.offset = Number(exception[2]);
      const after = bt.frames.at(-1)?.index;
      if (after !== undefined) entry.afterFrame = after;
      bt.exceptions.push(entry);
      return true;
    }
    if (BT_REGISTERS.test(text)) {
      this.touch(line);
      // user-mode register frames at the bottom of a trace have no exception line
      const target = bt.exceptions.at(-1);
      if (target && target.afterFrame === bt.frames.at(-1)?.index) {
        for (const m of text.matchAll(BT_REGISTER_PAIR)) {
          const name = (m[1] as string).toLowerCase();
          if (target.registers[name] !== undefined) continue;
          target.registers[name] = `0x${(m[2] as string).replace(/^0+(?=[0-9a-f])/, "")}`;
          target.registerLines[name] = line.no;
        }
      }
      return true;
    }
    const change = BT_STACK_SWITCH.exec(text);
    if (change) {
      this.touch(line);
      bt.stackSwitches.push({
        stack: change[1] as string,
        afterFrame: bt.frames.at(-1)?.index ?? -1,
        line: line.no,
      });
      return true;
    }
    return false;
  }

  /**
   * Reads a member of a structure dump. Nesting is taken from indentation (crash indents
   * two spaces a level) rather than braces, so pastes that cut lines out still read right.
   */
  private readStruct(line: KernelLine): boolean {
    const state = this.struct;
    if (!state) return false;
    const text = line.text;
    // a dump cut short by the paste: a report or prose at the left margin ends it
    // (lines of dots are the paster's own elisions)
    if (
      startsReport(line) ||
      (/^\S/.test(text) && !/^[.…]+/.test(text) && !CLOSE_BRACE.test(text))
    ) {
      this.endStruct();
      return this.readShape(line);
    }
    this.touch(line);
    const indent = /^ */.exec(text)?.[0].length ?? 0;
    const popTo = (level: number) => {
      while (state.path.length > 0 && (state.path.at(-1) as { indent: number }).indent >= level)
        state.path.pop();
    };
    if (CLOSE_BRACE.test(text)) {
      if (indent <= state.indent) this.endStruct();
      else popTo(indent);
      return true;
    }
    const member = MEMBER.exec(text);
    if (member) {
      popTo(indent);
      const name = member[1] as string;
      // pastes annotate values: "pid = 80589, //commserver task", "next = 0x…,  /* ❓ */"
      let value = member[2] as string;
      const comment = value.search(/\/\/|\/\*/);
      if (comment !== -1) value = value.slice(0, comment);
      value = value.trim().replace(/,$/, "").trim();
      if (value === "{") {
        state.path.push({ indent, name });
        return true;
      }
      const key = [...state.path.map((p) => p.name), name].filter(Boolean).join(".");
      state.dump.fields[key] = value;
      state.dump.fieldLines[key] = line.no;
      return true;
    }
    // anonymous unions and structs print "{" alone
    if (/^\s*\{\s*$/.test(text)) {
      popTo(indent);
      state.path.push({ indent, name: "" });
    }
    return true;
  }

  private endStruct(): void {
    if (!this.struct) return;
    this.session?.structs.push(this.struct.dump);
    this.struct = undefined;
  }
}
