/**
 * @module cli/commands/dmesg
 * `crashlens dmesg VMCORE`: the kernel log read straight from a dump, byte-identical to
 * `makedumpfile --dump-dmesg` (or flush-left like `vmcore-dmesg` with `--flush-left`).
 * Exit 0 when records came out, 1 when none could be read, 2 when the file is not a dump.
 */
import type { Command } from "commander";
import { EXIT_NOTHING } from "../exit.js";
import { writeOut } from "../io.js";
import type { CliCommand } from "./index.js";

export const dmesgCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    program
      .command("dmesg")
      .description("print the kernel log stored in a vmcore (any dump format, no debuginfo)")
      .argument(
        "<vmcore...>",
        "ELF, kdump-compressed or flattened dump (or all parts of a split dump)",
      )
      .option("--flush-left", "print continuation lines flush left, as vmcore-dmesg does")
      .action(async (paths: string[], options: { flushLeft?: boolean }) => {
        // loaded on use, so `crashlens --help` and other commands do not pay for the dump readers
        const { openForCli, warner } = await import("./dump-open.js");
        const warn = warner(io);
        const { formatLog } = await import("../../kernel/index.js");
        const opened = await openForCli(io, paths, setExitCode);
        if (opened === undefined) return;
        const path = paths.join(" + ");
        const { dump, kernel } = opened;
        try {
          const log = await kernel.readLog();
          for (const w of log.warnings) warn(w);
          if (log.records.length === 0) {
            io.stderr.write(`crashlens: ${path}: no kernel log could be read\n`);
            setExitCode(EXIT_NOTHING);
            return;
          }
          const text = formatLog(log.records, options.flushLeft ? "vmcore-dmesg" : "makedumpfile");
          await writeOut(io.stdout, Buffer.from(text, "latin1"));
        } finally {
          await dump.close();
        }
      });
  },
};
