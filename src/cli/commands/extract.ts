/**
 * @module cli/commands/extract
 * `crashlens extract --for dmesg VMCORE OUT`: a minimal dump holding only the pages that
 * analysis read (page tables included), the notes and VMCOREINFO. The result reads back the
 * same log and facts, is a few hundred kB, and carries none of the rest of memory.
 */
import type { Command } from "commander";
import type { ExtractFormat } from "../../dump/extract.js";
import type { Compression } from "../../dump/writers/kdump-writer.js";
import { CrashlensError } from "../../errors.js";
import { type ExtractPurpose, extractPurposes } from "../../extract-dump.js";
import { EXIT_NOTHING, UsageError } from "../exit.js";
import type { CliCommand } from "./index.js";

const formats: readonly ExtractFormat[] = ["kdump", "elf"];
const compressions: readonly Compression[] = ["zlib", "lzo", "snappy", "zstd", "none"];

export const extractCommand: CliCommand = {
  register(program: Command, { io, setExitCode }) {
    program
      .command("extract")
      .description("write a minimal dump holding only the pages an analysis reads")
      .argument("<vmcore>", "ELF, kdump-compressed or flattened dump")
      .argument("<out>", "where to write the small dump")
      .option(
        "--for <analysis>",
        `what the small dump must support: ${extractPurposes.join(", ")}`,
        "dmesg",
      )
      .option("--format <format>", `output format: ${formats.join(", ")}`, "kdump")
      .option(
        "--compression <kind>",
        `page compression for kdump output: ${compressions.join(", ")}`,
        "zlib",
      )
      .action(
        async (
          path: string,
          out: string,
          options: { for: string; format: string; compression: string },
        ) => {
          if (!(extractPurposes as readonly string[]).includes(options.for))
            throw new UsageError(`--for must be one of ${extractPurposes.join(", ")}`);
          if (!(formats as readonly string[]).includes(options.format))
            throw new UsageError(`--format must be one of ${formats.join(", ")}`);
          if (!(compressions as readonly string[]).includes(options.compression))
            throw new UsageError(`--compression must be one of ${compressions.join(", ")}`);
          const { writeFile } = await import("node:fs/promises");
          const { recordPages } = await import("../../dump/extract.js");
          const { extractRecorded } = await import("../../extract-dump.js");
          const { openForCli } = await import("./dump-open.js");
          let recorder: ReturnType<typeof recordPages> | undefined;
          const imagePages = new Map<bigint, bigint>();
          const opened = await openForCli(
            io,
            path,
            setExitCode,
            (dump) => {
              recorder = recordPages(dump);
            },
            { recordWalks: true, onImagePage: (va, pa) => imagePages.set(pa, va) },
          );
          if (opened === undefined || recorder === undefined) return;
          const { dump, kernel } = opened;
          try {
            const minimal = await extractRecorded(path, dump, kernel, recorder, imagePages, {
              purpose: options.for as ExtractPurpose,
              format: options.format as ExtractFormat,
              compression: options.compression as Compression,
            });
            if (minimal === undefined) {
              io.stderr.write(
                `crashlens: ${path}: no kernel log could be read, nothing to extract\n`,
              );
              setExitCode(EXIT_NOTHING);
              return;
            }
            for (const line of minimal.warnings)
              io.stderr.write(`crashlens: warning: ${path}: ${line}\n`);
            try {
              await writeFile(out, minimal.bytes);
            } catch (error) {
              throw new CrashlensError(
                "os",
                `${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? error})`,
                { path: out, cause: error },
              );
            }
            io.stderr.write(
              `crashlens: wrote ${out}: ${minimal.pages} pages, ${minimal.bytes.length} bytes (${options.format})\n`,
            );
          } finally {
            await dump.close();
          }
        },
      );
  },
};
