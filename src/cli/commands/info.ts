/**
 * @module cli/commands/info
 * `crashlens info VMCORE`: format, compression, header facts, a VMCOREINFO summary, the saved
 * CPUs with RIP/RSP, crash time and release. `--json` prints the same facts as one object
 * with stable camelCase keys (README, "info --json"); both come from `info-facts.ts`.
 */
import type { Command } from "commander";
import { EXIT_NOTHING } from "../exit.js";
import { writeOut } from "../io.js";
import type { CliCommand } from "./index.js";

export const infoCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    program
      .command("info")
      .description("describe a vmcore: format, header facts, kernel release, CPUs and registers")
      .argument(
        "<vmcore...>",
        "ELF, kdump-compressed or flattened dump (or all parts of a split dump)",
      )
      .option("--json", "print JSON")
      .action(async (paths: string[], options: { json?: boolean }) => {
        const { openForCli, warner } = await import("./dump-open.js");
        const warn = warner(io);
        const { cpuFacts, infoFacts } = await import("./info-facts.js");
        const { factsJson, factsText } = await import("../render/facts.js");
        const opened = await openForCli(io, paths, setExitCode);
        if (opened === undefined) return;
        const { dump, kernel } = opened;
        try {
          const log = await kernel.readLog();
          await dump.countPages?.();
          const symbols = await kernel.loadSymbols();
          const input = { path: paths.join(" + "), dump, kernel, log, symbols };
          const facts = infoFacts(input);
          for (const w of log.warnings) warn(w);
          if (options.json) {
            const warnings = [...dump.warnings, ...kernel.warnings, ...log.warnings];
            const json = { ...factsJson(facts), warnings };
            await writeOut(io.stdout, `${JSON.stringify(json, null, 2)}\n`);
          } else {
            const lines = [...factsText(facts), ...cpuFacts(input).map((c) => c.text)];
            await writeOut(io.stdout, `${lines.join("\n")}\n`);
          }
          if (kernel.vmcoreinfo.raw === "" && kernel.cpus.length === 0) setExitCode(EXIT_NOTHING);
        } finally {
          await dump.close();
        }
      });
  },
};
