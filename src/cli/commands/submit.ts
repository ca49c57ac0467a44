/**
 * @module cli/commands/submit
 * `crashlens submit [--server URL] [--token T] [--host H] [--label k=v]... FILE|DIR...`:
 * sends crash logs and dumps to a `crashlens serve`. One line per file on stdout with what the
 * server said (report and cluster ids, new or duplicate, the title), failures on stderr, a
 * summary; exit 1 when any file failed.
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { EXIT_NOTHING } from "../exit.js";
import { writeOut } from "../io.js";
import { escapeControls } from "../render/safe.js";
import { type AgentFlags, agentOptions } from "./agent-options.js";
import type { CliCommand } from "./index.js";

type SubmitFlags = AgentFlags;

export const submitCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    const submit = program
      .command("submit")
      .description("send crash logs and dumps to a crashlens server")
      .argument(
        "<paths...>",
        "files, or directories to send every file of (hidden ones and links inside skipped)",
      );
    agentOptions(submit).action(async (paths: string[], flags: SubmitFlags) => {
      const { resolveConnection } = await import("../../agent/connection.js");
      const { CrashlensClient } = await import("../../agent/client.js");
      const { parseLabels } = await import("../../agent/labels.js");
      const { filesOf } = await import("../../agent/file-walk.js");
      const { submitFiles } = await import("../../agent/submit-files.js");
      const labels = parseLabels(flags.label ?? []);
      const client = new CrashlensClient(resolveConnection(flags, io.env));
      const files = filesOf(paths);
      const tally = await submitFiles(
        client,
        files,
        { host: flags.host ?? hostname(), labels },
        {
          line: (text) => writeOut(io.stdout, `${text}\n`),
          problem: (text) => writeOut(io.stderr, `crashlens: ${text}\n`),
        },
        {
          onExtracted: (path, from, to) =>
            io.stderr.write(
              `crashlens: ${escapeControls(path)}: sending a minimal dump (${from} → ${to} bytes)\n`,
            ),
        },
      );
      await writeOut(io.stdout, `${tally.summary()}\n`);
      if (tally.failed > 0) setExitCode(EXIT_NOTHING);
    });
  },
};
