/**
 * @module shell/session
 * One shell over one opened kernel: `run(line)` does what a line at crash's prompt does —
 * comments and blank lines, `!cmd`, `cmd | pipeline`, `cmd > file`, `q` — and turns every
 * failure into crash's one-line shape (`rd: page excluded: …`) so the session goes on. The
 * interactive prompt (`repl.ts`) and batch mode (`-c`, `-i`) both drive this class.
 */
import { spawn } from "node:child_process";
import { appendFile, writeFile } from "node:fs/promises";
import { isCrashlensError } from "../errors.js";
import type { Kernel } from "../kernel/kernel.js";
import { kernelSymbolizer } from "../kernel/modules/module-symbols.js";
import type { PrintkRecord } from "../kernel/printk/types.js";
import { parseArgs, splitWords } from "./args.js";
import {
  type CommandContext,
  QuitRequest,
  type ShellCommand,
  ShellCommandError,
  type ShellFiles,
  type ShellOutput,
  ShellUsageError,
  TextOutput,
} from "./command.js";
import { commands as defaultCommands } from "./commands/index.js";
import { datatypeCommand } from "./commands/struct.js";
import { parseLine } from "./line.js";
import { defaultSettings, type ShellSettings } from "./settings.js";
import { type ShellSymbol, SymbolIndex } from "./symbol-index.js";
import { defaultSysFacts, type SysFacts } from "./sys-facts.js";

export interface ShellSessionOptions {
  files: ShellFiles;
  /** the command table; default `commands/index.ts` */
  commands?: readonly ShellCommand[];
  /** where `sys` gets TASKS, UPTIME, …; default `defaultSysFacts` */
  sysFacts?: SysFacts;
  settings?: Partial<ShellSettings>;
  /**
   * more symbols for `sym`, `rd -s`, `dis` and completion; default: every loaded module's
   * kallsyms (`kernel/modules`), printed by `sym` with ` [module]`
   */
  extraSymbols?: () => Promise<Iterable<ShellSymbol>>;
  /** `!cmd`, `!` and pipelines talk to the terminal directly (interactive mode) */
  inheritTerminal?: boolean;
  /** the shell for `!` and pipelines; default /bin/sh */
  shell?: string;
}

/** Where one line's output and messages go, and how to cancel it. */
export interface LineIo {
  out: ShellOutput;
  err: ShellOutput;
  signal?: AbortSignal;
}

export interface RunResult {
  /** false when the line failed (unknown command, usage error, read error, …) */
  ok: boolean;
  /** the line was `q`, `quit` or `exit` */
  quit: boolean;
  /** what the line printed, when `run` was called without a LineIo */
  output: string;
  errors: string;
}

export class ShellSession {
  readonly commands: readonly ShellCommand[];
  readonly settings: ShellSettings;
  readonly sysFacts: SysFacts;
  private readonly byName = new Map<string, ShellCommand>();
  private symbolIndex?: Promise<SymbolIndex>;

  constructor(
    readonly kernel: Kernel,
    readonly options: ShellSessionOptions,
  ) {
    this.commands = options.commands ?? defaultCommands;
    this.settings = { ...defaultSettings(), ...options.settings };
    this.sysFacts = options.sysFacts ?? defaultSysFacts;
    for (const command of this.commands) {
      for (const name of [command.name, ...(command.aliases ?? [])]) this.byName.set(name, command);
    }
  }

  /** the command a name or alias stands for */
  command(name: string): ShellCommand | undefined {
    return this.byName.get(name);
  }

  /** kallsyms (and any extra symbols) by name and address, built on first use */
  symbols(): Promise<SymbolIndex> {
    this.symbolIndex ??= (async () => {
      const kallsyms = await this.kernel.symbols();
      const more =
        this.options.extraSymbols ?? (async () => (await kernelSymbolizer(this.kernel)).symbols());
      let extra: Iterable<ShellSymbol> = [];
      try {
        extra = await more();
      } catch {
        // module symbols need BTF and the module list; without them the core kernel's remain
      }
      return new SymbolIndex([...kallsyms.symbols(), ...extra]);
    })();
    return this.symbolIndex;
  }

  /** the kernel log, read once per kernel */
  async log(): Promise<readonly PrintkRecord[]> {
    return (await this.kernel.log()).records;
  }

  /** Runs one line. Never throws: failures are printed and reported in `ok`. */
  async run(line: string, io?: LineIo): Promise<RunResult> {
    const out = new TextOutput();
    const err = new TextOutput();
    const result = await this.runLine(line, io ?? { out, err });
    return { ...result, output: out.text, errors: err.text };
  }

  private async runLine(line: string, io: LineIo): Promise<{ ok: boolean; quit: boolean }> {
    const request = parseLine(line);
    if (request.kind === "empty") return { ok: true, quit: false };
    if (request.kind === "shell") {
      const ok = await this.shellEscape(request.command, io);
      return { ok, quit: false };
    }
    if (request.pipe === undefined && request.redirect === undefined)
      return this.dispatch(request.text, io);
    const captured = new TextOutput();
    const result = await this.dispatch(request.text, { ...io, out: captured });
    const buffer = captured.text;
    if (request.pipe !== undefined) {
      if (request.pipe === "") {
        io.err.write("crashlens: missing command after |\n");
        return { ok: false, quit: result.quit };
      }
      const ok = await this.pipeThrough(request.pipe, buffer, io);
      return { ok: result.ok && ok, quit: result.quit };
    }
    const path = splitWords(request.redirect?.path ?? "")[0];
    if (path === undefined) {
      io.err.write("crashlens: missing file name after >\n");
      return { ok: false, quit: result.quit };
    }
    try {
      if (request.redirect?.append) await appendFile(path, buffer);
      else await writeFile(path, buffer);
    } catch (error) {
      io.err.write(`crashlens: ${path}: ${(error as NodeJS.ErrnoException).code ?? error}\n`);
      return { ok: false, quit: result.quit };
    }
    return result;
  }

  private async dispatch(text: string, io: LineIo): Promise<{ ok: boolean; quit: boolean }> {
    let words = splitWords(text);
    let name = words[0];
    if (name === undefined) return { ok: true, quit: false };
    let command = this.byName.get(name);
    // crash's is_datatype_command: `timer_list ADDR` runs as `struct timer_list ADDR`,
    // a symbol alone as `p SYMBOL`, a typedef alone as `whatis NAME`
    const rewritten =
      command === undefined
        ? await datatypeCommand(this.kernel, () => this.symbols(), words)
        : undefined;
    if (rewritten !== undefined && this.byName.has(rewritten[0] as string)) {
      words = rewritten;
      name = rewritten[0] as string;
      command = this.byName.get(name);
    }
    if (command === undefined) {
      io.err.write(`crashlens: command not found: ${name}\n`);
      return { ok: false, quit: false };
    }
    const signal = io.signal ?? new AbortController().signal;
    const guard = (sink: ShellOutput): ShellOutput => ({
      write: (t) => {
        if (!signal.aborted) sink.write(t);
      },
    });
    const ctx: CommandContext = {
      kernel: this.kernel,
      out: guard(io.out),
      err: guard(io.err),
      signal,
      settings: this.settings,
      commands: this.commands,
      symbols: () => this.symbols(),
      sysFacts: this.sysFacts,
      files: this.options.files,
      log: () => this.log(),
    };
    try {
      await command.run(ctx, parseArgs(command, name, words.slice(1)));
      // a cancelled command did not finish
      return { ok: !signal.aborted, quit: false };
    } catch (error) {
      if (error instanceof QuitRequest) return { ok: true, quit: true };
      if (signal.aborted) return { ok: false, quit: false };
      io.err.write(describeFailure(command, name, error));
      return { ok: false, quit: false };
    }
  }

  /** `!cmd`: the command's output goes where the session's does (or to the terminal) */
  private shellEscape(command: string, io: LineIo): Promise<boolean> {
    const shell = this.options.shell ?? "/bin/sh";
    if (command === "") {
      if (this.options.inheritTerminal !== true) {
        io.err.write("crashlens: !: no command given\n");
        return Promise.resolve(false);
      }
      return this.spawnShell(process.env.SHELL ?? shell, [], "", io);
    }
    return this.spawnShell(shell, ["-c", command], undefined, io);
  }

  private pipeThrough(pipeline: string, input: string, io: LineIo): Promise<boolean> {
    return this.spawnShell(this.options.shell ?? "/bin/sh", ["-c", pipeline], input, io);
  }

  /** runs a child; `input` undefined = the terminal's stdin (interactive) or nothing */
  private spawnShell(
    file: string,
    args: string[],
    input: string | undefined,
    io: LineIo,
  ): Promise<boolean> {
    return new Promise((resolve) => {
      // interactive: the child writes to the terminal itself (so `| less` pages), and reads
      // it too when it is not fed the command's output (`!vi`)
      const terminal = this.options.inheritTerminal === true;
      const output = terminal ? "inherit" : "pipe";
      const child = spawn(file, args, {
        stdio: [terminal && input === undefined ? "inherit" : "pipe", output, output],
      });
      child.stdout?.on("data", (b: Buffer) => io.out.write(b.toString("utf8")));
      child.stderr?.on("data", (b: Buffer) => io.err.write(b.toString("utf8")));
      child.on("error", (error) => {
        io.err.write(`crashlens: ${file}: ${error.message}\n`);
        resolve(false);
      });
      child.on("close", (code) => resolve(code === 0));
      if (child.stdin !== null) {
        // a pipeline that stops reading early (`| head`) is not an error
        child.stdin.on("error", () => {});
        child.stdin.end(input ?? "");
      }
    });
  }
}

/** One failure as crash prints it; a usage error also prints the synopsis. */
function describeFailure(command: ShellCommand, name: string, error: unknown): string {
  if (error instanceof ShellUsageError) {
    const head = error.message === "" ? "" : `${name}: ${error.message}\n`;
    return `${head}Usage:\n  ${command.name} ${command.usage}\nEnter "help ${command.name}" for details.\n`;
  }
  if (error instanceof ShellCommandError && error.bare) return `${error.message}\n`;
  if (error instanceof ShellCommandError || isCrashlensError(error))
    return `${name}: ${error.message}\n`;
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: internal error: ${message}\n`;
}
