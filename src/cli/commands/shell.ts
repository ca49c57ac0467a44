/**
 * @module cli/commands/shell
 * `crashlens shell VMCORE [VMLINUX]`: crash's commands over a dump with no debuginfo. With a
 * terminal it is interactive (`crashlens> ` prompt); with `-c CMD` (repeatable) or `-i FILE`
 * (`-` = stdin), or when stdin is not a terminal, it runs the lines and exits, printing no
 * prompt. Exit 0 when every line ran, 1 when one failed, 2 when the dump cannot be opened.
 */
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { EXIT_NOTHING, UsageError } from "../exit.js";
import { type CliIo, writeOut } from "../io.js";
import type { CliCommand } from "./index.js";

/** ELF e_type of an executable or PIE: a vmlinux, not a core (4) */
const VMLINUX_TYPES = new Set([2, 3]);

/** The files that are ELF executables (a vmlinux), told from the dump by content, not name. */
async function isVmlinux(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "r");
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(18), 0, 18, 0);
    if (bytesRead < 18 || buffer.readUInt32BE(0) !== 0x7f454c46) return false;
    const type = buffer[5] === 2 ? buffer.readUInt16BE(16) : buffer.readUInt16LE(16);
    return VMLINUX_TYPES.has(type);
  } catch {
    return false; // the dump opener reports unreadable files
  } finally {
    await handle?.close();
  }
}

async function* linesOf(io: CliIo, path: string): AsyncIterable<string> {
  if (path === "-") {
    yield* createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    return;
  }
  const { readFile } = await import("node:fs/promises");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  yield* text.split(/\r?\n/);
}

interface ShellOptions {
  command?: string[];
  input?: string;
}

export const shellCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    program
      .command("shell")
      .description(
        "crash-compatible commands over a vmcore, with no debuginfo (interactive, or -c/-i)",
      )
      .argument(
        "<files...>",
        "the dump (all parts of a split dump) and optionally a vmlinux, told apart by content",
      )
      .option(
        "-c, --command <cmd>",
        "run a crash command line and exit (repeatable, run in order)",
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .option("-i, --input <file>", "run the command lines in file (- = stdin) and exit")
      .addHelpText(
        "after",
        `
Commands: help, log, sys, rd, dis, sym, eval, set, q (and ! and | as in crash).
The interactive prompt is "crashlens> " (this is not crash). With -i, its lines run first,
then each -c. Exit: 0 when every line ran, 1 when one failed, 2 when the dump cannot be read.`,
      )
      .action(async (files: string[], given: ShellOptions) => {
        const options = { ...given, command: given.command ?? [] };
        const vmlinuxes: string[] = [];
        const dumps: string[] = [];
        for (const file of files) ((await isVmlinux(file)) ? vmlinuxes : dumps).push(file);
        if (dumps.length === 0) throw new UsageError("shell: no dump given (only a vmlinux)");
        if (vmlinuxes.length > 1) throw new UsageError("shell: more than one vmlinux given");
        const { openForCli, warner } = await import("./dump-open.js");
        const warn = warner(io);
        const opened = await openForCli(io, dumps, setExitCode);
        if (opened === undefined) return;
        const { Kernel } = await import("../../kernel/kernel.js");
        const { ShellSession, runRepl, startupBanner } = await import("../../shell/index.js");
        const kernel = Kernel.fromView(opened.kernel);
        const vmlinux = vmlinuxes[0];
        if (vmlinux !== undefined)
          warn(`${vmlinux}: vmlinux symbols and types are not read yet; using the dump's kallsyms`);
        const batch =
          options.command.length > 0 ||
          options.input !== undefined ||
          (io.stdin as { isTTY?: boolean }).isTTY !== true;
        const session = new ShellSession(kernel, {
          files: { dump: dumps.join(" + "), ...(vmlinux === undefined ? {} : { vmlinux }) },
          inheritTerminal: !batch,
          settings: { scroll: !batch && io.stdout.isTTY === true },
        });
        try {
          if (!batch) {
            await runRepl({
              session,
              input: io.stdin as NodeJS.ReadStream,
              output: io.stdout,
              env: io.env,
              banner: await startupBanner(session),
            });
            return;
          }
          const lines = async function* () {
            if (options.input !== undefined) yield* linesOf(io, options.input);
            yield* options.command;
            if (options.input === undefined && options.command.length === 0)
              yield* linesOf(io, "-");
          };
          let failed = false;
          // output streams as commands write it (a long `rd` is not held in memory);
          // each line waits for what it wrote to be taken before the next runs
          const out = { write: (text: string) => void io.stdout.write(text) };
          const err = { write: (text: string) => void io.stderr.write(text) };
          for await (const line of lines()) {
            const result = await session.run(line, { out, err });
            await writeOut(io.stdout, "");
            if (!result.ok) failed = true;
            if (result.quit) break;
          }
          if (failed) setExitCode(EXIT_NOTHING);
        } finally {
          await kernel.close();
        }
      });
  },
};
