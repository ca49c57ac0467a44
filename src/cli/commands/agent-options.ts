/**
 * @module cli/commands/agent-options
 * What `submit` and `watch` both say about their submissions: which server, with which token,
 * from which host, with which labels — declared once, so the two agents cannot drift apart.
 */
import type { Command } from "commander";
import { collect } from "../../agent/labels.js";

export interface AgentFlags {
  server?: string;
  token?: string;
  host?: string;
  label?: string[];
}

/** Declares `--server`, `--token`, `--host` and the repeatable `--label` on `command`. */
export function agentOptions(command: Command): Command {
  return command
    .option("--server <url>", "the server (default $CRASHLENS_SERVER or http://127.0.0.1:8080)")
    .option("--token <token>", "an ingest token (default $CRASHLENS_TOKEN)")
    .option("--host <name>", "the machine the crashes come from (default this host's name)")
    .option("--label <key=value>", "a label on every report (repeatable)", collect);
}
