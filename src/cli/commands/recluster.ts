/**
 * @module cli/commands/recluster
 * `crashlens recluster [--store …]`: groups every stored report again with the current
 * clustering rules (after an upgrade changed them) and says how many reports moved.
 */
import type { Command } from "commander";
import { writeOut } from "../io.js";
import type { CliCommand } from "./index.js";

export const reclusterCommand: CliCommand = {
  register(program: Command, { io }) {
    program
      .command("recluster")
      .description("group every stored report again with the current clustering rules")
      .option(
        "--store <location>",
        "a SQLite file or a postgres:// URL (default $XDG_STATE_HOME/crashlens/fleet.db)",
      )
      .action(async (flags: { store?: string }) => {
        const { storeLocation } = await import("../../server/store-location.js");
        const { openStore } = await import("../../store/open.js");
        const store = await openStore(storeLocation(flags.store, io.env));
        try {
          const { reports, clusters, moved } = await store.recluster();
          await writeOut(
            io.stdout,
            `${reports} reports in ${clusters} clusters; ${moved} moved to another cluster\n`,
          );
        } finally {
          await store.close();
        }
      });
  },
};
