/**
 * @module shell/command
 * A shell command is one row of a table: its name, crash's option letters, its help text and
 * a handler. The session parses the line against the row (`args.ts`), so a handler only reads
 * typed arguments, calls the library and writes crash-shaped text.
 */
import type { Kernel } from "../kernel/kernel.js";
import type { PrintkRecord } from "../kernel/printk/types.js";
import type { ShellSettings } from "./settings.js";
import type { SymbolIndex } from "./symbol-index.js";
import type { SysFacts } from "./sys-facts.js";

/** One option letter (or crash's digit words `-16`, `-32`, `-64`). */
export interface OptionSpec {
  /** what follows the dash: "F", "x", "16" */
  readonly flag: string;
  /** the value's name in help when the option takes one (`-c cpu`, `-c1`) */
  readonly value?: string;
  /** may be given more than once: `-FF` counts 2, `-c 1 -c 2` keeps both values */
  readonly repeatable?: boolean;
  /** one line for `help CMD` */
  readonly description: string;
}

/** The words of a line after the options are taken out. */
export interface ParsedArgs {
  /** the command name as typed (an alias stays an alias) */
  readonly command: string;
  /** the non-option words, in order (quotes removed, `( … )` kept as one word) */
  readonly positional: readonly string[];
  /** how many times `flag` was given (0 when absent) */
  count(flag: string): number;
  has(flag: string): boolean;
  /** the last value given to `flag` */
  value(flag: string): string | undefined;
  /** every value given to `flag`, in order */
  values(flag: string): readonly string[];
}

/** Where a command writes. Text written after a cancel (Ctrl-C) is dropped. */
export interface ShellOutput {
  write(text: string): void;
}

/** A ShellOutput that keeps what is written. */
export class TextOutput implements ShellOutput {
  text = "";
  write(text: string): void {
    this.text += text;
  }
}

/** What a handler is given. */
export interface CommandContext {
  readonly kernel: Kernel;
  readonly out: ShellOutput;
  /** one-line messages that are not the command's output (crash prints them on stderr) */
  readonly err: ShellOutput;
  /**
   * aborted when the user cancels the command (Ctrl-C); long loops should call
   * `if (await checkpoint(ctx.signal)) return;` (`cancel.ts`) so the cancel can be heard
   */
  readonly signal: AbortSignal;
  readonly settings: ShellSettings;
  /** the command table, for `help` */
  readonly commands: readonly ShellCommand[];
  /** kallsyms by name and address, built once per session */
  symbols(): Promise<SymbolIndex>;
  /** the `sys` facts (others extend the provider) */
  readonly sysFacts: SysFacts;
  /** the files the session was opened on, for `sys` */
  readonly files: ShellFiles;
  /** the kernel log, read once per session */
  log(): Promise<readonly PrintkRecord[]>;
}

export interface ShellFiles {
  /** the dump path(s), split parts joined with " + " */
  readonly dump: string;
  /** the vmlinux given on the command line, if any */
  readonly vmlinux?: string;
}

/** One row of the command table (`commands/index.ts`). */
export interface ShellCommand {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** the NAME line of `help CMD`: "display memory" */
  readonly summary: string;
  /** the SYNOPSIS after the name: "[-adDsSupx][-8|-16|-32|-64] [address|symbol] [count]" */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  /** the DESCRIPTION of `help CMD`: paragraphs, without the option list (made from `options`) */
  readonly help: string;
  /** the EXAMPLES of `help CMD`, as a session would show them */
  readonly examples?: string;
  /** leave `-x` words after the first positional word alone (for commands that take a
   * command line of their own, like `foreach` or `!`); default: options anywhere, as getopt */
  readonly optionsFirst?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<void> | void;
}

/**
 * A mistake in how a command was called: printed as crash prints it, the message (if any),
 * then `Usage:` with the synopsis and `Enter "help CMD" for details.`
 */
export class ShellUsageError extends Error {
  override name = "ShellUsageError";
}

/**
 * A command's own failure, printed as `CMD: message` (crash's `error(INFO, …)`), or as the
 * message alone when `bare` (crash's `symbol not found: …` lines carry no command name).
 */
export class ShellCommandError extends Error {
  override name = "ShellCommandError";
  readonly bare: boolean;
  constructor(message: string, options: { bare?: boolean } = {}) {
    super(message);
    this.bare = options.bare === true;
  }
}

/** Thrown by `q` to end the session after the line. */
export class QuitRequest extends Error {
  override name = "QuitRequest";
}
