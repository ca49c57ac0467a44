/**
 * @module cli/commands/submit
 * `crashlens submit [--server URL] [--token T] [--host H] [--label k=v]... FILE|DIR...`:
 * sends crash logs and dumps to a `crashlens serve`. One line per file on stdout with what the
 * server said (report and cluster ids, new or duplicate, the title), failures on stderr, a
 * summary; exit 1 when any file failed.
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { collect } from "../../agent/labels.js";
import { EXIT_NOTHING } from "../exit.js";
import { writeOut } from "../io.js";
import { escapeControls } from "../render/safe.js";
import type { CliCommand } from "./index.js";

interface SubmitFlags {
  server?: string;
  token?: string;
  host?: string;
  label?: string[];
}

export const submitCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    program
      .command("submit")
      .description("send crash logs and dumps to a crashlens server")
      .argument("<paths...>", "files, or directories to send every file of (hidden ones skipped)")
      .option("--server <url>", "the server (default $CRASHLENS_SERVER or http://127.0.0.1:8080)")
      .option("--token <token>", "an ingest token (default $CRASHLENS_TOKEN)")
      .option("--host <name>", "the machine the crashes come from (default this host's name)")
      .option("--label <key=value>", "a label on every report (repeatable)", collect)
      .action(async (paths: string[], flags: SubmitFlags) => {
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
