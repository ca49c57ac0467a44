/**
 * @module shell/repl
 * The interactive prompt (`crashlens> `, not crash's, so nobody mistakes one for the other):
 * node:readline with history in ~/.crashlens_history, tab completion of commands, symbols and
 * type names, output longer than the screen through the pager, and Ctrl-C cancelling the
 * running command's output rather than the shell.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { TextOutput } from "./command.js";
import { btfTypeCompleter, complete, type TypeCompleter } from "./completer.js";
import { History, historyPath } from "./history.js";
import { parseLine } from "./line.js";
import { needsPager, page, pagerCommand } from "./pager.js";
import type { ShellSession } from "./session.js";

export const prompt = "crashlens> ";

export interface ReplOptions {
  session: ShellSession;
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean; rows?: number };
  env: NodeJS.ProcessEnv;
  /** type names for completion after `struct`, `union`, `whatis`; default: the dump's BTF */
  completeTypes?: TypeCompleter;
  /** printed before the first prompt */
  banner?: string;
}

/** Runs the prompt until `q` or end of input. */
export async function runRepl(options: ReplOptions): Promise<void> {
  const { session, input, output, env } = options;
  const history = new History(historyPath(env));
  const types = options.completeTypes ?? btfTypeCompleter(session.kernel);
  const rl = createInterface({
    input,
    output,
    prompt,
    terminal: output.isTTY === true,
    history: history.entries(),
    historySize: 1000,
    removeHistoryDuplicates: true,
    completer: (
      line: string,
      callback: (error: Error | null, result: [string[], string]) => void,
    ) => {
      complete(session, line, types).then(
        (result) => callback(null, result),
        () => callback(null, [[], line]),
      );
    },
  });
  if (options.banner !== undefined) output.write(options.banner);

  const queue: string[] = [];
  let running: AbortController | undefined;
  let closed = false;
  let quit = false;
  let wake: (() => void) | undefined;

  rl.on("line", (line) => {
    queue.push(line);
    wake?.();
  });
  rl.on("close", () => {
    closed = true;
    wake?.();
  });
  rl.on("SIGINT", () => {
    if (running !== undefined) {
      running.abort();
      return;
    }
    // at the prompt, as a shell does: drop the line, prompt again
    output.write("\n");
    rl.write(null, { ctrl: true, name: "u" });
    rl.prompt();
  });

  rl.prompt();
  while (!quit) {
    const line = queue.shift();
    if (line === undefined) {
      if (closed) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
      continue;
    }
    history.add(line);
    quit = await runOne(line);
    if (!quit && !closed) rl.prompt();
  }
  rl.close();

  async function runOne(line: string): Promise<boolean> {
    const controller = new AbortController();
    running = controller;
    const paging = session.settings.scroll && output.isTTY === true;
    const text = new TextOutput();
    const errors = new TextOutput();
    // `!cmd` and `cmd | pipeline` hand the terminal to a child (`!vi`, `| less`): stop
    // reading it, and take Ctrl-C as the signal it then is
    const request = parseLine(line);
    const direct =
      request.kind === "shell" || (request.kind === "command" && request.pipe !== undefined);
    const cancel = () => controller.abort();
    if (direct) {
      rl.pause();
      input.setRawMode?.(false);
      process.on("SIGINT", cancel);
    }
    const result = await session.run(line, {
      // without the pager, output streams as it comes; with it, it waits for the end
      out: paging ? text : { write: (t) => void output.write(t) },
      err: paging ? errors : { write: (t) => void output.write(t) },
      signal: controller.signal,
    });
    running = undefined;
    if (direct) {
      process.off("SIGINT", cancel);
      input.setRawMode?.(true);
      rl.resume();
    }
    if (controller.signal.aborted) {
      output.write("\n");
      return false;
    }
    if (paging && needsPager(text.text, output.rows)) {
      rl.pause();
      input.setRawMode?.(false);
      const shown = await page(text.text, pagerCommand(env));
      input.setRawMode?.(true);
      rl.resume();
      if (!shown) output.write(text.text);
    } else if (text.text !== "") output.write(text.text);
    if (errors.text !== "") output.write(errors.text);
    return result.quit;
  }
}
