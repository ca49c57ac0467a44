/**
 * @module cli/commands/info
 * `crashlens info VMCORE`: format, compression, header facts, a VMCOREINFO summary, the saved
 * CPUs with RIP/RSP, crash time and release. `--json` prints the same as one JSON object.
 */
import type { Command } from "commander";
import { EXIT_NOTHING } from "../exit.js";
import type { CliCommand } from "./index.js";

const pad = (n: bigint | undefined) => (n === undefined ? "?" : n.toString(16).padStart(16, "0"));

export const infoCommand: CliCommand = {
  register(program: Command, setExitCode) {
    program
      .command("info")
      .description("describe a vmcore: format, header facts, kernel release, CPUs and registers")
      .argument(
        "<vmcore...>",
        "ELF, kdump-compressed or flattened dump (or all parts of a split dump)",
      )
      .option("--json", "print JSON")
      .action(async (paths: string[], options: { json?: boolean }) => {
        const { openForCli, warn } = await import("./dump-open.js");
        const { panicCpu } = await import("../../kernel/index.js");
        const { hex } = await import("../../dump/paged-memory.js");
        const opened = await openForCli(paths, setExitCode);
        if (opened === undefined) return;
        const path = paths.join(" + ");
        const { dump, kernel } = opened;
        try {
          const log = await kernel.readLog();
          await dump.countPages?.();
          const symbols = await kernel.loadSymbols();
          const where = (rip: bigint | undefined) => {
            const s = rip === undefined ? undefined : kernel.symbolize?.(rip);
            return s === undefined
              ? ""
              : ` ${s.name}+0x${s.offset.toString(16)}/0x${s.size.toString(16)}`;
          };
          const vi = kernel.vmcoreinfo;
          const summary: Record<string, unknown> = {
            file: path,
            format: dump.format + (dump.flavour ? ` (${dump.flavour})` : ""),
            description: dump.description,
            release: kernel.release,
            version: kernel.version,
            machine: kernel.machine,
            hostname: kernel.hostname,
            "crash time": kernel.crashTime?.toISOString(),
            "page size": vi.pageSize ?? dump.pageSize,
            "build id": vi.buildId,
            "kernel offset (KASLR)":
              vi.kernelOffset === undefined ? undefined : hex(vi.kernelOffset),
            phys_base: hex(BigInt.asUintN(64, kernel.physBase)),
            page_offset_base:
              kernel.directMapBase === undefined ? undefined : hex(kernel.directMapBase),
            "5-level paging": vi.numbers.get("pgtable_l5_enabled") === 1n,
            vmcoreinfo:
              vi.raw === ""
                ? "absent"
                : (dump.vmcoreinfo === undefined ? "found in memory (no note): " : "") +
                  `${vi.symbols.size} symbols, ${vi.offsets.size} offsets, ${vi.sizes.size} sizes, ${vi.numbers.size} numbers`,
            "printk buffer": log.generation ?? "not found",
            "log records": log.records.length,
            "uptime at last record":
              log.records.length === 0
                ? undefined
                : `${(Number((log.records.at(-1)?.timestampNs ?? 0n) / 1000n) / 1e6).toFixed(6)} s`,
            "panic cpu": panicCpu(kernel, log.records),
            kallsyms:
              symbols === undefined
                ? "not in VMCOREINFO"
                : `${symbols.count} symbols (${symbols.encoding})`,
            cpus: kernel.cpus.length,
            ...Object.fromEntries(
              Object.entries(dump.facts()).map(([k, v]) => [`header: ${k}`, v]),
            ),
          };
          const cpus = kernel.cpus.map((c) => ({
            cpu: c.cpu,
            pid: c.pid,
            rip: pad(c.registers.rip),
            function: where(c.registers.rip).trim() || undefined,
            rsp: pad(c.registers.rsp),
            source: c.source,
          }));
          for (const w of log.warnings) warn(w);
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ ...summary, cpus, warnings: [...dump.warnings, ...kernel.warnings, ...log.warnings] }, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
            );
          } else {
            const lines = Object.entries(summary)
              .filter(([, v]) => v !== undefined)
              .map(([k, v]) => `${`${k}:`.padEnd(32)} ${String(v)}`);
            for (const c of cpus) {
              lines.push(
                `CPU ${c.cpu}${c.pid === undefined ? "" : ` (pid ${c.pid})`}:`.padEnd(33) +
                  `RIP ${c.rip}  RSP ${c.rsp}  [${c.source}]${c.function ? `  ${c.function}` : ""}`,
              );
            }
            process.stdout.write(`${lines.join("\n")}\n`);
          }
          if (vi.raw === "" && kernel.cpus.length === 0) setExitCode(EXIT_NOTHING);
        } finally {
          await dump.close();
        }
      });
  },
};
