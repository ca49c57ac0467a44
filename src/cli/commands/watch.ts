/**
 * @module cli/commands/watch
 * `crashlens watch [--server URL] [--token T] [--state FILE] [--interval S] [--once] [DIR]`:
 * the agent that sends each new crash under /var/crash to a `crashlens serve` once — the
 * dump (reduced to a minimal one when large) or else the kernel log — and remembers what it
 * sent, so a restart sends nothing twice. `--once` scans once (cron, tests); otherwise it
 * scans every interval until SIGINT or SIGTERM.
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { EXIT_NOTHING, UsageError } from "../exit.js";
import { escapeControls } from "../render/safe.js";
import { type AgentFlags, agentOptions } from "./agent-options.js";
import type { CliCommand } from "./index.js";

interface WatchFlags extends AgentFlags {
  state?: string;
  interval: string;
  once?: boolean;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

export const watchCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    const watch = program
      .command("watch")
      .description("send each new crash saved under a crash directory to a crashlens server, once")
      .argument("[dir]", "where kdump saves crashes", "/var/crash");
    agentOptions(watch)
      .option(
        "--state <file>",
        "what was sent (default $XDG_STATE_HOME/crashlens/watch-state.json)",
      )
      .option("--interval <seconds>", "seconds between scans; files must be this still", "30")
      .option("--once", "scan once and exit")
      .action(async (dir: string, flags: WatchFlags) => {
        const intervalSeconds = Number(flags.interval);
        // 0 only with --once (no settling wait); a loop needs a pause between scans
        const least = flags.once ? 0 : 1;
        if (!(intervalSeconds >= least) || !Number.isFinite(intervalSeconds))
          throw new UsageError(
            `--interval ${flags.interval}: expected a number of seconds, at least ${least}`,
          );
        const { resolveConnection } = await import("../../agent/connection.js");
        const { CrashlensClient } = await import("../../agent/client.js");
        const { parseLabels } = await import("../../agent/labels.js");
        const { defaultStatePath } = await import("../../agent/watch-state.js");
        const { Watcher } = await import("../../agent/watcher.js");
        const labels = parseLabels(flags.label ?? []);
        const stop = new AbortController();
        const client = new CrashlensClient({
          ...resolveConnection(flags, io.env),
          signal: stop.signal,
        });
        const line = (stream: typeof io.stderr, prefix: string) => (text: string) =>
          stream.write(`${prefix}${text}\n`);
        const watcher = new Watcher({
          dir,
          statePath: flags.state ?? defaultStatePath(io.env),
          client,
          meta: { host: flags.host ?? hostname(), labels },
          intervalMs: intervalSeconds * 1000,
          log: line(io.stdout, ""),
          problem: line(io.stderr, "crashlens: "),
        });
        if (flags.once) {
          const result = await watcher.scan();
          if (result.failed > 0) setExitCode(EXIT_NOTHING);
          return;
        }
        const onSignal = (signal: NodeJS.Signals) => {
          io.stderr.write(`crashlens: watch: ${signal}, stopping\n`);
          stop.abort();
        };
        for (const s of STOP_SIGNALS) process.on(s, onSignal);
        try {
          io.stderr.write(
            `crashlens: watching ${escapeControls(watcher.dir)}, sending to ${client.server} every ${intervalSeconds} s\n`,
          );
          await watcher.run(stop.signal);
        } finally {
          for (const s of STOP_SIGNALS) process.off(s, onSignal);
        }
      });
  },
};
