/**
 * @module cli/commands/info-facts
 * What `crashlens info` reports, as one table: each row is a fact with its JSON key (the
 * contract in README, "info --json"), its text label and how to read it from the dump. Both
 * outputs are rendered from these rows, so they cannot drift apart.
 */
import { hex } from "../../dump/paged-memory.js";
import type { Dump, Fact, FactValue } from "../../dump/types.js";
import {
  type CpuState,
  type Kallsyms,
  type KernelView,
  type LogResult,
  panicCpu,
} from "../../kernel/index.js";
import type { FactGroup } from "../render/facts.js";

/** Everything the rows read. */
export interface InfoInput {
  readonly path: string;
  readonly dump: Dump;
  readonly kernel: KernelView;
  readonly log: LogResult;
  readonly symbols: Kallsyms | undefined;
}

/** one saved CPU: its JSON object and its text line */
export interface CpuFact {
  readonly value: { readonly [key: string]: FactValue | undefined };
  readonly text: string;
}

type Row = {
  readonly key: string;
  readonly label: string;
  readonly value: (i: InfoInput) => FactValue | undefined;
  /** the text form when it is not `String(value)` */
  readonly text?: (i: InfoInput) => string | undefined;
};

const optionalHex = (n: bigint | undefined) => (n === undefined ? undefined : hex(n));

function vmcoreinfoValue({ kernel, dump }: InfoInput): FactValue | undefined {
  const vi = kernel.vmcoreinfo;
  if (vi.raw === "") return undefined;
  return {
    source: dump.vmcoreinfo === undefined ? "memory" : "note",
    symbols: vi.symbols.size,
    offsets: vi.offsets.size,
    sizes: vi.sizes.size,
    numbers: vi.numbers.size,
  };
}

function vmcoreinfoText({ kernel, dump }: InfoInput): string {
  const vi = kernel.vmcoreinfo;
  if (vi.raw === "") return "absent";
  const where = dump.vmcoreinfo === undefined ? "found in memory (no note): " : "";
  return `${where}${vi.symbols.size} symbols, ${vi.offsets.size} offsets, ${vi.sizes.size} sizes, ${vi.numbers.size} numbers`;
}

/** seconds since boot of the last log record, to the microsecond */
function uptime({ log }: InfoInput): number | undefined {
  const last = log.records.at(-1);
  return last === undefined ? undefined : Number(last.timestampNs / 1000n) / 1e6;
}

/** the top-level facts, in the order the text prints them */
const rows: readonly Row[] = [
  { key: "file", label: "file", value: (i) => i.path },
  {
    key: "format",
    label: "format",
    value: ({ dump }) => dump.format + (dump.flavour ? ` (${dump.flavour})` : ""),
  },
  { key: "description", label: "description", value: ({ dump }) => dump.description },
  { key: "release", label: "release", value: ({ kernel }) => kernel.release },
  { key: "version", label: "version", value: ({ kernel }) => kernel.version },
  { key: "machine", label: "machine", value: ({ kernel }) => kernel.machine },
  { key: "hostname", label: "hostname", value: ({ kernel }) => kernel.hostname },
  { key: "crashTime", label: "crash time", value: ({ kernel }) => kernel.crashTime?.toISOString() },
  {
    key: "pageSize",
    label: "page size",
    value: ({ kernel, dump }) => kernel.vmcoreinfo.pageSize ?? dump.pageSize,
  },
  { key: "buildId", label: "build id", value: ({ kernel }) => kernel.vmcoreinfo.buildId },
  {
    key: "kaslrOffset",
    label: "kernel offset (KASLR)",
    value: ({ kernel }) => optionalHex(kernel.vmcoreinfo.kernelOffset),
  },
  // here the architecture's layout facts (`archFacts`): x86-64 phys_base, page_offset_base,
  // 5-level paging; arm64 VA_BITS, kimage_voffset, PHYS_OFFSET, PAGE_OFFSET, levels
  { key: "vmcoreinfo", label: "vmcoreinfo", value: vmcoreinfoValue, text: vmcoreinfoText },
  {
    key: "log",
    label: "printk buffer",
    value: ({ log }) => log.generation,
    text: ({ log }) => log.generation ?? "not found",
  },
  { key: "logRecords", label: "log records", value: ({ log }) => log.records.length },
  {
    key: "uptime",
    label: "uptime at last record",
    value: uptime,
    text: (i) => {
      const s = uptime(i);
      return s === undefined ? undefined : `${s.toFixed(6)} s`;
    },
  },
  {
    key: "panicCpu",
    label: "panic cpu",
    value: ({ kernel, log }) => panicCpu(kernel, log.records),
  },
  {
    key: "kallsyms",
    label: "kallsyms",
    value: ({ symbols: s }) =>
      s === undefined ? undefined : { symbols: s.count, encoding: s.encoding },
    text: ({ symbols: s }) =>
      s === undefined ? "not in VMCOREINFO" : `${s.count} symbols (${s.encoding})`,
  },
  {
    key: "cpus",
    label: "cpus",
    // the text gives the count here and one line per CPU at the end (`cpuFacts`)
    value: (i) => cpuFacts(i).map((c) => c.value),
    text: ({ kernel }) => String(kernel.cpus.length),
  },
];

/** The facts of `crashlens info`: the rows above, then the dump's own headers as a group. */
export function infoFacts(input: InfoInput): Array<Fact | FactGroup> {
  const facts: Array<Fact | FactGroup> = rows.map((row) => {
    const value = row.value(input);
    const text = row.text?.(input);
    return text === undefined
      ? { key: row.key, label: row.label, value }
      : { key: row.key, label: row.label, value, text };
  });
  const at = facts.findIndex((f) => f.key === "vmcoreinfo");
  facts.splice(at, 0, ...(input.kernel.archFacts ?? []));
  facts.push({ key: "header", label: "header", facts: input.dump.facts() });
  return facts;
}

const pad = (n: bigint | undefined) => (n === undefined ? "?" : n.toString(16).padStart(16, "0"));

/** `name+0x63/0xa0`, the form `analyze` uses for `panicRegisters.function` */
function where(kernel: KernelView, rip: bigint | undefined): string | undefined {
  const s = rip === undefined ? undefined : kernel.symbolize?.(rip);
  return s === undefined
    ? undefined
    : `${s.name}+0x${s.offset.toString(16)}/0x${s.size.toString(16)}`;
}

function cpuFact(kernel: KernelView, c: CpuState): CpuFact {
  const roles = kernel.arch.registers;
  const [pcName, spName] = kernel.arch.displayNames;
  const pc = c.registers[roles.pc];
  const sp = c.registers[roles.sp];
  const fn = where(kernel, pc);
  const name = `CPU ${c.cpu}${c.pid === undefined ? "" : ` (pid ${c.pid})`}:`;
  return {
    value: {
      cpu: c.cpu,
      pid: c.pid,
      // keys are the architecture's register names: rip/rsp, pc/sp
      [roles.pc]: optionalHex(pc),
      [roles.sp]: optionalHex(sp),
      function: fn,
      source: c.source,
    },
    text: `${name.padEnd(33)}${pcName} ${pad(pc)}  ${spName} ${pad(sp)}  [${c.source}]${fn ? `  ${fn}` : ""}`,
  };
}

/** each saved CPU (needs `loadSymbols()` first to name the functions) */
export function cpuFacts({ kernel }: InfoInput): CpuFact[] {
  return kernel.cpus.map((c) => cpuFact(kernel, c));
}
