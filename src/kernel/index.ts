/**
 * @module kernel
 * What a dump says about the kernel, without debuginfo: VMCOREINFO, address translation,
 * the kernel log (all three printk generations), saved CPU registers, release and machine.
 */
import { hex } from "../dump/paged-memory.js";
import { viewOf } from "../dump/random-access.js";
import { cString } from "../dump/structs/struct.js";
import type { Dump, Fact } from "../dump/types.js";
import { CrashlensError, isCrashlensError } from "../errors.js";
import { type Arch, detectArch, findArch } from "./arch/index.js";
import { type CpuState, cpuStates } from "./cpu-state.js";
import { findVmcoreinfoInMemory } from "./find-vmcoreinfo.js";
import { Kallsyms } from "./kallsyms.js";
import { formatLog as format, type LogStyle } from "./printk/format.js";
import { hasLegacy, readLegacy } from "./printk/log-buf.js";
import { hasLockless, readLockless } from "./printk/prb.js";
import { hasStructured, readStructured } from "./printk/printk-log.js";
import type { LogResult, LogSource, PrintkRecord } from "./printk/types.js";
import { emptyVmcoreinfo, parseVmcoreinfo, type VmcoreInfo } from "./vmcoreinfo.js";

export type { Arch, RegisterRoles, Translator } from "./arch/index.js";
export type { CpuState } from "./cpu-state.js";
export { Kallsyms, type KernelSymbol } from "./kallsyms.js";
export type { LogStyle } from "./printk/format.js";
export type { LogResult, PrintkRecord } from "./printk/types.js";
export { parseVmcoreinfo, type VmcoreInfo } from "./vmcoreinfo.js";

export interface KernelView {
  readonly dump: Dump;
  readonly vmcoreinfo: VmcoreInfo;
  /** the architecture the dump is from (its ELF e_machine, VMCOREINFO, header or notes say) */
  readonly arch: Arch;
  /** the architecture's memory-layout facts for `info` (x86-64 phys_base, arm64 VA_BITS, …) */
  readonly archFacts?: readonly Fact[];
  readonly release?: string;
  readonly machine?: string;
  /** the utsname version string ("#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 …") */
  readonly version?: string;
  readonly hostname?: string;
  readonly crashTime?: Date;
  readonly cpus: readonly CpuState[];
  /** x86-64 phys_base; arm64 PHYS_OFFSET */
  readonly physBase: bigint;
  /**
   * `va = directMapBase + pa` in the direct map: x86-64 `page_offset_base` (from the dump
   * headers or a page-table walk); arm64 PAGE_OFFSET − PHYS_OFFSET
   */
  readonly directMapBase?: bigint;
  /** problems met while opening (missing VMCOREINFO, unreadable utsname, …) */
  readonly warnings: readonly string[];
  readVirtual(address: bigint, length: number): Promise<Uint8Array>;
  translate(address: bigint): Promise<bigint>;
  readLog(): Promise<LogResult>;
  /**
   * Decodes kallsyms from memory (VMCOREINFO has the tables since v6.0); after it resolves,
   * `symbolize` works and `panicCpuVariable` holds the kernel's `panic_cpu` when readable.
   */
  loadSymbols(): Promise<Kallsyms | undefined>;
  symbolize?(address: bigint): { name: string; offset: number; size: number } | undefined;
  /** `panic_cpu` read from memory (needs kallsyms with data symbols); -1 = no panic recorded */
  readonly panicCpuVariable?: number;
}

/** Log readers in the order the peers choose them: by which VMCOREINFO entries exist. */
const generations = [
  { id: "lockless", present: hasLockless, read: readLockless },
  { id: "structured", present: hasStructured, read: readStructured },
  { id: "legacy", present: hasLegacy, read: readLegacy },
] as const;

const UTS_FIELD = 65;

export interface KernelOptions {
  /**
   * without a VMCOREINFO note, scan the stored pages for the kernel's own copy (default true;
   * reads every stored page, so it is slow on big dumps)
   */
  scanForVmcoreinfo?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * for `extract`: walk the page tables for every virtual read (so they are among the pages
   * read) and report each kernel-image page read with its physical address
   */
  recordWalks?: boolean;
  onImagePage?: (va: bigint, pa: bigint) => void;
}

export async function openKernel(dump: Dump, options: KernelOptions = {}): Promise<KernelView> {
  const warnings: string[] = [];
  let vmcoreinfo = emptyVmcoreinfo();
  let rawInfo = dump.vmcoreinfo;
  if (rawInfo === undefined && options.scanForVmcoreinfo !== false) {
    const found = await findVmcoreinfoInMemory(dump, options.onProgress);
    if (found !== undefined) {
      rawInfo = found.text;
      warnings.push(
        `${dump.path}: the dump has no VMCOREINFO note; using the kernel's copy found in memory at physical ${hex(found.paddr)}`,
      );
    }
  }
  if (rawInfo !== undefined) vmcoreinfo = parseVmcoreinfo(rawInfo);
  else
    warnings.push(
      `${dump.path}: the dump has no VMCOREINFO (a QEMU dump made without -device vmcoreinfo?); kernel data cannot be located`,
    );
  warnings.push(...vmcoreinfo.warnings);
  const hints = dump.hints();
  const detected = detectArch({
    ...(hints.elfMachine === undefined ? {} : { elfMachine: hints.elfMachine }),
    ...(hints.machine === undefined ? {} : { headerMachine: hints.machine }),
    vmcoreinfo,
    notes: dump.notes,
  });
  const arch = detected.arch;
  if (detected.by === "default" && rawInfo !== undefined)
    warnings.push(
      `${dump.path}: nothing in the dump names its architecture (no known ELF e_machine, VMCOREINFO entries, header machine or NT_PRSTATUS size); reading it as x86_64`,
    );
  const memory = await arch.open(dump, vmcoreinfo, {
    ...(options.recordWalks === true ? { walkAll: true } : {}),
  });
  warnings.push(...memory.warnings);
  const { translator, physBase, directMapBase } = memory;
  const pageMask = ~BigInt(translator.pageSize - 1);

  const readVirtual = async (address: bigint, length: number): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const va = address + BigInt(done);
      const pa = await translator.translate(va);
      if (options.onImagePage !== undefined && translator.inKernelImage(va)) {
        options.onImagePage(va & pageMask, pa & pageMask);
      }
      const span = translator.contiguousSpan(va);
      const take = Number(span < BigInt(length - done) ? span : BigInt(length - done));
      out.set(await dump.readPhysical(pa, take), done);
      done += take;
    }
    return out;
  };

  const view: { -readonly [K in keyof KernelView]: KernelView[K] } = {
    dump,
    vmcoreinfo,
    arch,
    archFacts: memory.facts,
    cpus: cpuStates(dump.notes, arch.prstatus),
    physBase,
    warnings,
    readVirtual,
    translate: (address) => translator.translate(address),
    readLog: () => readLog(view, readVirtual),
    loadSymbols: async () => {
      let symbols: Kallsyms | undefined;
      try {
        symbols = await Kallsyms.load(vmcoreinfo, readVirtual);
      } catch (error) {
        warnings.push(`kallsyms could not be decoded: ${(error as Error).message}`);
        return undefined;
      }
      if (symbols === undefined) return undefined;
      view.symbolize = (address) => symbols.symbolize(address);
      const panicCpuSymbol = symbols.lookup("panic_cpu");
      if (panicCpuSymbol !== undefined) {
        try {
          const bytes = await readVirtual(panicCpuSymbol.address, 4);
          view.panicCpuVariable = viewOf(bytes).getInt32(0, true);
        } catch {
          // the page holding panic_cpu was filtered out; the log still tells
        }
      }
      return symbols;
    },
  };
  if (directMapBase !== undefined) view.directMapBase = directMapBase;
  const crashTime = vmcoreinfo.crashTime ?? hints.crashTime;
  if (crashTime !== undefined) view.crashTime = crashTime;
  await readUtsname(view, readVirtual, warnings);
  view.release ??= vmcoreinfo.osrelease ?? hints.release;
  // QEMU's kdump header says "Unknown": the architecture found above is surer
  if (view.machine === undefined && hints.machine !== undefined && findArch(hints.machine))
    view.machine = hints.machine;
  view.machine ??= arch.machine;
  if (view.release === undefined) delete view.release;
  return view;
}

/** init_uts_ns.name: sysname, nodename, release, version, machine (65 bytes each) */
async function readUtsname(
  view: {
    release?: string;
    machine?: string;
    version?: string;
    hostname?: string;
    vmcoreinfo: VmcoreInfo;
  },
  read: (address: bigint, length: number) => Promise<Uint8Array>,
  warnings: string[],
): Promise<void> {
  const ns = view.vmcoreinfo.symbols.get("init_uts_ns");
  if (ns === undefined) return;
  const at = ns + BigInt(view.vmcoreinfo.offsets.get("uts_namespace.name") ?? 4);
  try {
    const bytes = await read(at, UTS_FIELD * 5);
    const field = (i: number) => cString(bytes.subarray(i * UTS_FIELD, (i + 1) * UTS_FIELD));
    if (field(0) !== "Linux") return; // not a utsname: leave the fields to other sources
    view.hostname = field(1);
    view.release = field(2);
    view.version = field(3);
    view.machine = field(4);
  } catch (error) {
    warnings.push(`init_uts_ns at ${hex(at)} could not be read: ${(error as Error).message}`);
  }
}

async function readLog(
  view: KernelView,
  readVirtual: (a: bigint, n: number) => Promise<Uint8Array>,
): Promise<LogResult> {
  const warnings: string[] = [];
  if (view.vmcoreinfo.raw === "") {
    return {
      records: [],
      warnings: ["the dump has no VMCOREINFO, so the log buffer cannot be located"],
    };
  }
  const pageSize = BigInt(view.vmcoreinfo.pageSize ?? 4096);
  const source: LogSource = {
    info: view.vmcoreinfo,
    warnings,
    read: readVirtual,
    async readLenient(address, length, what) {
      const bytes = new Uint8Array(length);
      const holes: [number, number][] = [];
      let done = 0;
      while (done < length) {
        const va = address + BigInt(done);
        const take = Math.min(length - done, Number(pageSize - (va % pageSize)));
        try {
          bytes.set(await readVirtual(va, take), done);
        } catch (error) {
          if (!isCrashlensError(error)) throw error;
          const last = holes[holes.length - 1];
          if (last !== undefined && last[1] === done) last[1] = done + take;
          else holes.push([done, done + take]);
          const pa = error.details.address;
          const name =
            pa !== undefined && error.details.space === "physical"
              ? `page ${hex(pa)}`
              : `page at ${hex(va)}`;
          if (warnings.length < 20)
            warnings.push(`${what} ${name} is not in the dump (${error.message})`);
        }
        done += take;
      }
      return { bytes, holes };
    },
  };
  const generation = generations.find((g) => g.present(source));
  if (generation === undefined) {
    return {
      records: [],
      warnings: ["VMCOREINFO names no printk buffer (no SYMBOL(prb), log_first_idx or log_end)"],
    };
  }
  try {
    const result = await generation.read(source);
    return { ...result, warnings: [...warnings, ...result.warnings] };
  } catch (error) {
    const message =
      isCrashlensError(error) || error instanceof Error ? error.message : String(error);
    return {
      records: [],
      warnings: [...warnings, `the ${generation.id} printk buffer could not be read: ${message}`],
      generation: generation.id,
    };
  }
}

export function formatLog(
  records: readonly PrintkRecord[],
  style: LogStyle = "makedumpfile",
): string {
  return format(records, style);
}

/**
 * The CPU that panicked, best effort: the last "CPU: N PID:" line of the log's last report
 * (dump_stack() prints it on the panicking CPU); for QEMU dumps note order and pr_pid say nothing.
 */
export function panicCpu(kernel: KernelView, log: readonly PrintkRecord[]): number | undefined {
  // the kernel's own record, when kallsyms gave its address (`loadSymbols()`)
  if (kernel.panicCpuVariable !== undefined && kernel.panicCpuVariable >= 0)
    return kernel.panicCpuVariable;
  let panicAt = log.length;
  for (let i = log.length - 1; i >= 0; i--) {
    if ((log[i] as PrintkRecord).text.startsWith("Kernel panic - not syncing")) {
      panicAt = i;
      break;
    }
  }
  for (let i = Math.min(panicAt + 3, log.length - 1); i >= 0; i--) {
    const m = /^CPU: (\d+) PID: /.exec((log[i] as PrintkRecord).text);
    if (m) return Number(m[1]);
  }
  const panic = log[panicAt];
  if (panic?.caller?.startsWith("C")) return Number(panic.caller.slice(1));
  const currentCpu = kernel.dump.hints().currentCpu;
  if (currentCpu !== undefined && kernel.cpus.length > 1) return currentCpu;
  return kernel.cpus.length === 1 ? 0 : undefined;
}

export { CrashlensError };

export interface VmcoreLog {
  dump: Dump;
  kernel: KernelView;
  log: LogResult;
  /** the log as `makedumpfile --dump-dmesg` prints it (or flush-left) */
  text: string;
  panicCpu: number | undefined;
  /** everything the dump and kernel layers had to say, in order */
  warnings: string[];
  close(): Promise<void>;
}

/**
 * Dump to log text in one call, for `analyze`: open, find the kernel, read and format the
 * log, name the panicking CPU (kallsyms/panic_cpu when VMCOREINFO has the tables).
 * Throws only when the file is not a readable dump; a missing log comes back as warnings.
 */
export async function readVmcoreLog(
  paths: string | readonly string[],
  options: {
    style?: LogStyle;
    symbols?: boolean;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<VmcoreLog> {
  const { openDumps } = await import("../dump/index.js");
  const progress = options.onProgress === undefined ? {} : { onProgress: options.onProgress };
  const dump = await openDumps(typeof paths === "string" ? [paths] : paths, progress);
  try {
    const kernel = await openKernel(dump, progress);
    const log = await kernel.readLog();
    if (options.symbols !== false) await kernel.loadSymbols();
    return {
      dump,
      kernel,
      log,
      text: formatLog(log.records, options.style ?? "makedumpfile"),
      panicCpu: panicCpu(kernel, log.records),
      warnings: [...dump.warnings, ...kernel.warnings, ...log.warnings],
      close: () => dump.close(),
    };
  } catch (error) {
    await dump.close();
    throw error;
  }
}
