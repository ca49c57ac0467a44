/**
 * @module extract-dump
 * A minimal dump: only the pages an analysis read (page tables included), the notes and
 * VMCOREINFO. One implementation for `crashlens extract` and the fleet agent, which sends a
 * few hundred kB instead of gigabytes of memory. It sits above `dump/`, `kernel/` and
 * `shell/` because `--for shell` records the pages crash's first commands read.
 */
import type { ExtractFormat, PageRecorder } from "./dump/extract.js";
import type { Dump } from "./dump/types.js";
import type { Compression } from "./dump/writers/kdump-writer.js";
import { CrashlensError } from "./errors.js";
import type { KernelView } from "./kernel/index.js";

export const extractPurposes = ["dmesg", "info", "shell"] as const;
export type ExtractPurpose = (typeof extractPurposes)[number];

export interface MinimalDumpOptions {
  /** what the small dump must answer the same way: the log, `info`, or the shell's first look */
  purpose: ExtractPurpose;
  format: ExtractFormat;
  compression: Compression;
}

export interface MinimalDump {
  bytes: Uint8Array;
  pages: number;
  /** what reading the dump for the purpose warned about */
  warnings: string[];
}

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

/**
 * Reads what `purpose` needs while `recorder` records the pages, then writes the minimal
 * dump. `imagePages` (kernel-image pages by physical address) lets ELF output map them at
 * their virtual addresses too, as vmcore-dmesg translates through p_vaddr.
 * Undefined: `dmesg` was asked for and the dump holds no readable log.
 */
export async function extractRecorded(
  path: string,
  dump: Dump,
  kernel: KernelView,
  recorder: PageRecorder,
  imagePages: ReadonlyMap<bigint, bigint>,
  options: MinimalDumpOptions,
): Promise<MinimalDump | undefined> {
  const { extractPages, pagesToKeep } = await import("./dump/extract.js");
  const warnings: string[] = [];
  const log = await kernel.readLog();
  if (options.purpose === "shell") warnings.push(...(await runShellCommands(kernel, path)));
  // `info` also names functions and reads panic_cpu: keep the kallsyms pages too
  if (options.purpose === "info" && (await kernel.loadSymbols()) === undefined)
    warnings.push(`no kallsyms to keep (${kernel.warnings.at(-1) ?? "not in VMCOREINFO"})`);
  recorder.stop();
  if (log.records.length === 0 && options.purpose === "dmesg") return undefined;
  const { pfns, pageSize } = pagesToKeep(recorder, dump.pageSize, kernel.vmcoreinfo.pageSize);
  const extractOptions: Parameters<typeof extractPages>[2] = {
    format: options.format,
    compression: options.compression,
    pageSize,
    elfMachine: kernel.arch.elfMachine,
    physBase: kernel.physBase,
    imagePages,
  };
  if (kernel.machine !== undefined) extractOptions.machine = kernel.machine;
  if (kernel.directMapBase !== undefined) extractOptions.directMapBase = kernel.directMapBase;
  if (kernel.release !== undefined) extractOptions.release = kernel.release;
  const bytes = await extractPages(dump, pfns, extractOptions);
  return { bytes, pages: pfns.size, warnings };
}

/** Opens `path` and extracts; throws when it is not a dump or (for dmesg) holds no log. */
export async function extractMinimalDump(
  path: string,
  options: MinimalDumpOptions = { purpose: "dmesg", format: "kdump", compression: "zlib" },
): Promise<MinimalDump> {
  // loaded on use: the CLI imports this module for its option table at every start
  const { recordPages } = await import("./dump/extract.js");
  const { openDumps } = await import("./dump/index.js");
  const { openKernel } = await import("./kernel/index.js");
  const dump = await openDumps([path]);
  try {
    const recorder = recordPages(dump);
    const imagePages = new Map<bigint, bigint>();
    const kernel = await openKernel(dump, {
      recordWalks: true,
      onImagePage: (va, pa) => imagePages.set(pa, va),
    });
    const minimal = await extractRecorded(path, dump, kernel, recorder, imagePages, options);
    if (minimal === undefined)
      throw new CrashlensError("bad-data", `${path}: no kernel log could be read from the dump`, {
        path,
      });
    return { ...minimal, warnings: [...dump.warnings, ...kernel.warnings, ...minimal.warnings] };
  } finally {
    await dump.close();
  }
}

/** Runs SHELL_COMMANDS over the dump (pages are being recorded); returns what failed. */
async function runShellCommands(view: KernelView, path: string): Promise<string[]> {
  const { Kernel } = await import("./kernel/kernel.js");
  const { ShellSession } = await import("./shell/session.js");
  const { taskTable } = await import("./kernel/tasks/index.js");
  const session = new ShellSession(Kernel.fromView(view), { files: { dump: path } });
  const failed: string[] = [];
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
