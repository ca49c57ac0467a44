/**
 * @module analyze-dump
 * A vmcore as input to `analyze`: the kernel log read from the dump (no debuginfo) goes
 * through the same report parser as a text log, and the dump's own facts (format, release,
 * crash time, the panicking CPU and its saved registers) are attached.
 */

import type { DumpEvidence } from "./diagnose/dump/evidence.js";
import { openDumps } from "./dump/index.js";
import { hex } from "./dump/paged-memory.js";
import type { Dump } from "./dump/types.js";
import { formatLog, type KernelView, openKernel, panicCpu } from "./kernel/index.js";
import { type ParseResult, parseText } from "./oops/parse.js";

export interface DumpFacts {
  format: string;
  description: string;
  release?: string;
  machine?: string;
  hostname?: string;
  crashTime?: string;
  panicCpu?: number;
  cpus: number;
  /** printk buffer generation the log came from */
  log?: string;
  logRecords: number;
  /**
   * the CPU that panicked, as the dump saved it (NT_PRSTATUS / QEMU state), symbolised; the
   * keys are the architecture's names (`rip`/`rsp` on x86-64, `pc`/`sp` on arm64)
   */
  panicRegisters?: { rip?: string; rsp?: string; pc?: string; sp?: string; function?: string };
  /** what only the dump knows (stacks, slab objects, prototypes), each with its shell command */
  evidence?: DumpEvidence;
}

export interface DumpAnalysis extends ParseResult {
  dump: DumpFacts;
}

async function facts(
  dump: Dump,
  kernel: KernelView,
  records: number,
  generation: string | undefined,
  cpu: number | undefined,
): Promise<DumpFacts> {
  const out: DumpFacts = {
    format: dump.format + (dump.flavour ? ` (${dump.flavour})` : ""),
    description: dump.description,
    cpus: kernel.cpus.length,
    logRecords: records,
  };
  if (kernel.release) out.release = kernel.release;
  if (kernel.machine) out.machine = kernel.machine;
  if (kernel.hostname) out.hostname = kernel.hostname;
  if (kernel.crashTime) out.crashTime = kernel.crashTime.toISOString();
  if (generation) out.log = generation;
  if (cpu !== undefined) {
    out.panicCpu = cpu;
    const state = kernel.cpus.find((c) => c.cpu === cpu);
    if (state) {
      // keyed by the architecture's register names: rip/rsp on x86-64, pc/sp on arm64
      const roles = kernel.arch.registers;
      const pc = state.registers[roles.pc];
      const sp = state.registers[roles.sp];
      const regs: Record<string, string> = {};
      if (pc !== undefined) regs[roles.pc] = hex(pc);
      if (sp !== undefined) regs[roles.sp] = hex(sp);
      const sym = pc === undefined ? undefined : kernel.symbolize?.(pc);
      if (sym)
        regs.function = `${sym.name}+0x${sym.offset.toString(16)}/0x${sym.size.toString(16)}`;
      out.panicRegisters = regs;
    }
  }
  return out;
}

/** Opens the dump (one path, or the parts of a split dump), reads its log and parses it. */
export async function analyzeDump(paths: readonly string[]): Promise<DumpAnalysis> {
  const dump = await openDumps(paths);
  try {
    const kernel = await openKernel(dump);
    // the facade reads the log once for the parser and for the evidence (panic CPU)
    const { Kernel } = await import("./kernel/kernel.js");
    const facade = Kernel.fromView(kernel);
    const log = await facade.log();
    const text = formatLog(log.records, "makedumpfile");
    const result = parseText(text);
    // the input's warnings: reading the dump's, then the parser's
    const warnings = [...dump.warnings, ...kernel.warnings, ...log.warnings];
    if (log.records.length === 0) warnings.push("no kernel log could be read from the dump");
    // the dump's own evidence for the report that ended in the panic (the last one)
    const { collectDumpEvidence } = await import("./diagnose/dump/evidence.js");
    const evidence = await collectDumpEvidence(facade, result.reports.at(-1)?.kind).catch(
      (error: Error) => ({
        objects: [],
        warnings: [`the dump's stacks and objects: ${error.message}`],
      }),
    );
    const cpu = panicCpu(kernel, log.records);
    const dumpFacts = await facts(dump, kernel, log.records.length, log.generation, cpu);
    dumpFacts.evidence = evidence;
    return { ...result, warnings: [...warnings, ...result.warnings], dump: dumpFacts };
  } finally {
    await dump.close();
  }
}
