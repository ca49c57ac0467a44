/**
 * @module cli/commands/recluster
 * `crashlens recluster [--store …]`: groups every stored report again with the current
 * clustering rules (after an upgrade changed them) and says how many reports moved.
 */
import type { Command } from "commander";
import { writeOut } from "../io.js";
import type { CliCommand } from "./index.js";
import { type StoreFlags, storeLocation, storeOption } from "./store-option.js";

export const reclusterCommand: CliCommand = {
  register(program: Command, { io }) {
    storeOption(
      program
        .command("recluster")
        .description("group every stored report again with the current clustering rules"),
    ).action(async (flags: StoreFlags) => {
      const { openStore } = await import("../../store/open.js");
      const store = await openStore(storeLocation(flags, io.env));
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
