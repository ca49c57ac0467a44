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
import { EXIT_NOTHING, UsageError } from "../exit.js";
import type { CliCommand } from "./index.js";

const purposes = ["dmesg", "info", "shell"] as const;

/**
 * What `--for shell` runs while recording pages: the commands a first look at a dump takes,
 * so the small dump answers them all (and `struct`/`rd` on what they touch) the same way.
 * Not `kmem -i`: it reads every `struct page` (a quarter of the pages such a dump holds).
 * `kmem` of each running and D-state task follows, for the objects a diagnosis looks at.
 */
const SHELL_COMMANDS = [
  "sys",
  "log",
  "ps",
  "mod",
  "bt -a",
  "foreach bt",
  "runq",
  "kmem -o",
  "kmem -s",
  "struct -o task_struct",
] as const;
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
        `what the small dump must support: ${purposes.join(", ")}`,
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
          if (!(purposes as readonly string[]).includes(options.for))
            throw new UsageError(`--for must be one of ${purposes.join(", ")}`);
          if (!(formats as readonly string[]).includes(options.format))
            throw new UsageError(`--format must be one of ${formats.join(", ")}`);
          if (!(compressions as readonly string[]).includes(options.compression))
            throw new UsageError(`--compression must be one of ${compressions.join(", ")}`);
          const { writeFile } = await import("node:fs/promises");
          const { extractPages, pagesToKeep, recordPages } = await import("../../dump/extract.js");
          const { openForCli } = await import("./dump-open.js");
          let recorder: ReturnType<typeof recordPages> | undefined;
          // kernel-image pages read, by physical address, so ELF output can map them at their
          // kernel virtual addresses too (vmcore-dmesg translates through p_vaddr)
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
            const log = await kernel.readLog();
            if (options.for === "shell") {
              const failed = await runShellCommands(kernel, path);
              for (const line of failed) io.stderr.write(`crashlens: warning: ${path}: ${line}\n`);
            }
            // `info` also names functions and reads panic_cpu: keep the kallsyms pages too
            if (options.for === "info" && (await kernel.loadSymbols()) === undefined) {
              io.stderr.write(
                `crashlens: warning: ${path}: no kallsyms to keep (${kernel.warnings.at(-1) ?? "not in VMCOREINFO"})\n`,
              );
            }
            recorder.stop();
            if (log.records.length === 0 && options.for === "dmesg") {
              io.stderr.write(
                `crashlens: ${path}: no kernel log could be read, nothing to extract\n`,
              );
              setExitCode(EXIT_NOTHING);
              return;
            }
            const { pfns, pageSize } = pagesToKeep(
              recorder,
              dump.pageSize,
              kernel.vmcoreinfo.pageSize,
            );
            const extractOptions: Parameters<typeof extractPages>[2] = {
              format: options.format as ExtractFormat,
              compression: options.compression as Compression,
              pageSize,
              elfMachine: kernel.arch.elfMachine,
            };
            if (kernel.machine !== undefined) extractOptions.machine = kernel.machine;
            if (kernel.directMapBase !== undefined)
              extractOptions.directMapBase = kernel.directMapBase;
            if (kernel.release !== undefined) extractOptions.release = kernel.release;
            extractOptions.physBase = kernel.physBase;
            extractOptions.imagePages = imagePages;
            const bytes = await extractPages(dump, pfns, extractOptions);
            try {
              await writeFile(out, bytes);
            } catch (error) {
              throw new CrashlensError(
                "os",
                `${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? error})`,
                { path: out, cause: error },
              );
            }
            io.stderr.write(
              `crashlens: wrote ${out}: ${pfns.size} pages, ${bytes.length} bytes (${options.format})\n`,
            );
          } finally {
            await dump.close();
          }
        },
      );
  },
};

/** Runs SHELL_COMMANDS over the dump (pages are being recorded); returns what failed. */
async function runShellCommands(
  view: import("../../kernel/index.js").KernelView,
  path: string,
): Promise<string[]> {
  const { Kernel } = await import("../../kernel/kernel.js");
  const { ShellSession } = await import("../../shell/session.js");
  const session = new ShellSession(Kernel.fromView(view), { files: { dump: path } });
  const failed: string[] = [];
  const { taskTable } = await import("../../kernel/tasks/index.js");
  const tasks = await taskTable(session.kernel).catch(() => undefined);
  const objects = (tasks?.tasks ?? [])
    .filter((t) => t.active || t.stateName === "UN")
    .map((t) => `kmem ${t.address.toString(16)}`);
  for (const command of [...SHELL_COMMANDS, ...objects]) {
    const result = await session.run(command);
    if (result.errors.trim() !== "")
      failed.push(`${command}: ${result.errors.trim().split("\n")[0]}`);
  }
  return failed;
}
