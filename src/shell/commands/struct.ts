/**
 * @module shell/commands/struct
 * `struct` and `union`, typed from the dump's own BTF: without an address the definition
 * (`struct timer_list {` … `}` and `SIZE: 40`; `-o` adds each member's offset), with an
 * address (or a symbol) the contents as crash prints them through gdb (`struct timer_list {`,
 * `  function = 0xffffffff8157f8c0 <neigh_timer_handler>,` …), `NAME.member[,member…]` for
 * only those members, a count for consecutive structs, `-x`/`-d` for the radix.
 *
 * Also here: crash's fallback that runs `timer_list ADDR` as `struct timer_list ADDR`
 * (`datatypeCommand`), and the struct/union name completer.
 */
import type { Btf } from "../../kernel/btf/btf.js";
import { type BtfValue, decodeValue } from "../../kernel/btf/value.js";
import type { Kernel } from "../../kernel/kernel.js";
import { symbolNotFound } from "../address.js";
import {
  type CommandContext,
  type ParsedArgs,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { parseHexAddress, parseNumber } from "../expression.js";
import {
  type Datatype,
  declarationLines,
  findDatatype,
  linesForMember,
} from "../format/datatype.js";
import { formatGdbValue } from "../format/gdb-value.js";
import { printOptions } from "../format/print-context.js";
import { readMemory } from "../memory.js";
import type { SymbolIndex } from "../symbol-index.js";

/** the BTF, or crash's refusal when the dump has none */
export async function sessionBtf(kernel: Kernel): Promise<Btf> {
  try {
    return await kernel.btf();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ShellCommandError(`no type information: ${why}`);
  }
}

async function maybeSymbols(ctx: CommandContext): Promise<SymbolIndex | undefined> {
  try {
    return await ctx.symbols();
  } catch {
    return undefined;
  }
}

const KERNEL_SPACE = 0xffff800000000000n;

interface Target {
  address: bigint;
  /** a `:cpuspec` after a per-CPU symbol: the CPUs to show */
  cpus?: number[];
}

/** crash's address argument: hex always, or a symbol (`init_task`, `runqueues:1`) */
async function parseTarget(ctx: CommandContext, word: string): Promise<Target> {
  const [text, cpuspec] = word.split(":", 2) as [string, string | undefined];
  const hex = /^[0-9a-f]+$/i.test(text.replace(/^0x/i, "")) ? parseHexAddress(text) : undefined;
  if (hex !== undefined && cpuspec === undefined) {
    if (hex < KERNEL_SPACE) throw new ShellCommandError(`invalid kernel virtual address: ${word}`);
    return { address: hex };
  }
  const index = await ctx.symbols();
  const symbol = index.lookup(text);
  if (symbol === undefined) throw symbolNotFound(index, text);
  if (cpuspec === undefined) return { address: symbol.address };
  const offsets = await perCpuOffsets(ctx.kernel, index);
  const cpus =
    cpuspec === "" || cpuspec === "a"
      ? offsets.map((_, i) => i)
      : parseCpus(cpuspec, offsets.length);
  return { address: symbol.address, cpus };
}

function parseCpus(spec: string, count: number): number[] {
  const cpus = new Set<number>();
  for (const part of spec.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ShellCommandError(`invalid cpu specification: ${spec}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi && c < count; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** `__per_cpu_offset[0 .. nr_cpu_ids)` */
export async function perCpuOffsets(kernel: Kernel, index: SymbolIndex): Promise<bigint[]> {
  const base = index.lookup("__per_cpu_offset");
  const nr = index.lookup("nr_cpu_ids");
  if (base === undefined)
    throw new ShellCommandError("per-CPU offsets unknown: __per_cpu_offset is not in kallsyms");
  const count = nr === undefined ? 1 : Math.min(await kernel.memory.u32(nr.address), 8192);
  return kernel.memory.words(base.address, Math.max(count, 1));
}

interface MemberRequest {
  path: string;
  /** `a.b` or `a[1]`: crash's parse_for_member_extended */
  extended: boolean;
}

function datatypeError(text: string): ShellCommandError {
  return new ShellCommandError(`invalid data structure reference: ${text}`);
}

async function runDatatype(
  kind: "struct" | "union",
  ctx: CommandContext,
  args: ParsedArgs,
): Promise<void> {
  if (args.has("x") && args.has("d"))
    throw new ShellCommandError("-d and -x are mutually exclusive");
  const spec = args.positional[0];
  if (spec === undefined) throw new ShellUsageError("");
  if (spec.endsWith(",") || spec.endsWith("."))
    throw new ShellCommandError(`invalid format: ${spec}`);
  const radix: 10 | 16 = args.has("x") ? 16 : args.has("d") ? 10 : ctx.settings.radix;
  const btf = await sessionBtf(ctx.kernel);
  const dot = spec.indexOf(".");
  const structName = dot < 0 ? spec : spec.slice(0, dot);
  const members: MemberRequest[] =
    dot < 0
      ? []
      : spec
          .slice(dot + 1)
          .split(",")
          .filter((m) => m !== "")
          .map((path) => ({ path, extended: /[.[]/.test(path) }));
  const datatype = findDatatype(btf, structName);
  if (datatype === undefined) throw datatypeError(structName);
  if (datatype.type.kind !== kind)
    throw new ShellCommandError(`data type mismatch: ${structName} is not a ${kind}`);
  for (const m of members) {
    if (btf.memberPath(datatype.type.id, m.path) === undefined)
      throw datatypeError(`${structName}.${m.path}`);
  }

  // address and count
  let target: Target | undefined;
  let count = args.has("c") ? Number(parseNumber(args.value("c") as string) ?? 1n) : undefined;
  for (const word of args.positional.slice(1)) {
    if (target !== undefined && count !== undefined)
      throw new ShellCommandError("too many arguments!");
    if (target === undefined) target = await parseTarget(ctx, word);
    else {
      const n = /^-?\d+$/.test(word) ? Number(word) : undefined;
      if (n === undefined) throw new ShellCommandError(`invalid count: ${word}`);
      count = n;
    }
  }
  if (count !== undefined && target === undefined)
    throw new ShellCommandError("no kernel virtual address argument entered");
  if (args.has("l") && target !== undefined) {
    const l = args.value("l") as string;
    const n = parseNumber(l);
    const offset =
      n !== undefined
        ? Number(n)
        : btf.offsetof(l.split(".")[0] as string, l.split(".").slice(1).join("."));
    if (offset === undefined) throw new ShellCommandError(`invalid -l option: ${l}`);
    target.address -= BigInt(offset);
  }

  if (target === undefined) {
    // the definition
    if (members.length > 1) {
      ctx.err.write(`${args.command}: multiple member format not supported in this syntax\n`);
      writeLines(ctx, declarationLines(btf, datatype, { offsets: true, radix }));
      return;
    }
    const member = members[0]?.path;
    if (member?.includes(".")) throw datatypeError(`${structName}.${member}`);
    writeLines(
      ctx,
      declarationLines(btf, datatype, {
        offsets: args.has("o"),
        radix,
        ...(member === undefined ? {} : { member }),
      }),
    );
    return;
  }
  if (members.length > 1 && args.has("o"))
    throw new ShellCommandError("-o option not valid with multiple member format");

  const printOne = async (address: bigint) => {
    const n = count ?? 1;
    let at = n < 0 ? address - BigInt(datatype.size * (Math.abs(n) - 1)) : address;
    for (let c = 0; c < Math.abs(n); c++, at += BigInt(datatype.size)) {
      if (ctx.signal.aborted) return;
      if (c > 0) ctx.out.write("\n");
      await printAt(ctx, btf, kind, datatype, at, members, args.has("o"), radix);
    }
  };
  if (target.cpus !== undefined) {
    const offsets = await perCpuOffsets(ctx.kernel, await ctx.symbols());
    for (const cpu of target.cpus) {
      const address = target.address + (offsets[cpu] ?? 0n);
      ctx.out.write(`[${cpu}]: ${BigInt.asUintN(64, address).toString(16)}\n`);
      await printOne(BigInt.asUintN(64, address));
    }
    return;
  }
  await printOne(target.address);
}

function writeLines(ctx: CommandContext, lines: readonly string[]): void {
  ctx.out.write(lines.map((l) => `${l}\n`).join(""));
}

async function printAt(
  ctx: CommandContext,
  btf: Btf,
  kind: "struct" | "union",
  datatype: Datatype,
  address: bigint,
  members: readonly MemberRequest[],
  offsets: boolean,
  radix: 10 | 16,
): Promise<void> {
  if (offsets) {
    const member = members[0]?.path;
    writeLines(
      ctx,
      declarationLines(btf, datatype, {
        offsets: true,
        radix,
        address,
        ...(member === undefined ? {} : { member }),
      }),
    );
    return;
  }
  const bytes = await readMemory(ctx.kernel, address, datatype.size, {
    space: "kernel virtual",
    type: "gdb_readmem_callback",
  });
  const value = decodeValue(btf, datatype.type.id, bytes, { address });
  const options = await printOptions(ctx.kernel, await maybeSymbols(ctx), btf, value, { radix });
  const printed = `${kind} ${datatype.name} ${formatGdbValue(btf, value, options)}`;
  if (members.length === 0) {
    ctx.out.write(`${printed}\n`);
    return;
  }
  for (const m of members) {
    if (!m.extended) {
      writeLines(ctx, linesForMember(printed, m.path));
      continue;
    }
    const found = memberNode(value, btf, datatype.type.id, m.path);
    if (found === undefined) throw datatypeError(`${datatype.name}.${m.path}`);
    const text = formatGdbValue(btf, found.value, options, 1);
    // crash's dump_node: a comma when another member follows at that level
    ctx.out.write(`  ${m.path} = ${text}${found.hasNext ? "," : ""}\n`);
  }
}

/** the decoded value at a member path, and whether a sibling follows it (crash's trailing comma) */
function memberNode(
  root: BtfValue,
  btf: Btf,
  rootId: number,
  path: string,
): { value: BtfValue; hasNext: boolean } | undefined {
  if (btf.memberPath(rootId, path) === undefined) return undefined;
  let node: BtfValue = root;
  let hasNext = false;
  for (const step of path.split(".")) {
    const m = /^([A-Za-z_]\w*)((?:\[\d+\])*)$/.exec(step);
    if (!m) return undefined;
    const found = findMember(node, m[1] as string);
    if (found === undefined) return undefined;
    node = found.value;
    hasNext = found.hasNext;
    for (const index of (m[2] as string).matchAll(/\[(\d+)\]/g)) {
      if (node.kind !== "array") return undefined;
      const i = Number(index[1]);
      const element = node.elements[i];
      if (element === undefined) return undefined;
      hasNext = i + 1 < node.elements.length;
      node = element;
    }
  }
  return { value: node, hasNext };
}

function findMember(
  node: BtfValue,
  name: string,
): { value: BtfValue; hasNext: boolean } | undefined {
  if (node.kind !== "struct" && node.kind !== "union") return undefined;
  const list = node.members;
  for (let i = 0; i < list.length; i++) {
    const m = list[i] as (typeof list)[number];
    if (m.name === name) return { value: m.value, hasNext: i + 1 < list.length };
  }
  for (const m of list) {
    if (m.name !== "") continue;
    const inner = findMember(m.value, name);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

const OPTIONS = [
  { flag: "o", description: "show member offsets (with an address: member addresses)" },
  { flag: "x", description: "integers in hexadecimal" },
  { flag: "d", description: "integers in decimal" },
  { flag: "c", value: "count", description: "display count consecutive structures" },
  {
    flag: "l",
    value: "offset",
    description: "the address points at this member (offset or struct.member)",
  },
] as const;

function datatypeRow(kind: "struct" | "union"): ShellCommand {
  return {
    name: kind,
    summary: `${kind} contents`,
    usage: `${kind}_name[.member[,member]] [-o][-l offset][-x|-d] [address | symbol][:cpuspec] [count | -c count]`,
    options: OPTIONS,
    help: [
      `Without an address, prints the definition of a ${kind} from the dump's BTF, then its size`,
      "(-o: with each member's offset). With an address or symbol, prints its contents as crash",
      "prints them through gdb; .member[,member…] limits the output to those members, a count",
      `prints consecutive ${kind}s (negative: backwards), and :cpuspec after a per-CPU symbol`,
      "prints each CPU's instance. Types come from BTF, so no debuginfo package is needed.",
    ].join("\n"),
    examples: [
      `crash> ${kind === "struct" ? "struct timer_list" : "union bpf_attr"}`,
      "crash> struct -o timer_list",
      "crash> struct task_struct.pid,comm ffff8bec42af20c0",
      "  pid = 100,",
      '  comm = "sh\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000",',
    ].join("\n"),
    run: (ctx, args) => runDatatype(kind, ctx, args),
  };
}

export const structCommand: ShellCommand = datatypeRow("struct");
export const unionCommand: ShellCommand = datatypeRow("union");

/**
 * crash's is_datatype_command: an unknown first word that names a struct or union becomes
 * `struct WORD …` / `union WORD …` (`timer_list ffff88102ee1fe58`), a typedef, enum or other
 * type with nothing after it `whatis WORD`, a symbol alone `p WORD`. Returns the rewritten
 * words, or undefined when the word is none of these.
 */
export async function datatypeCommand(
  kernel: Kernel,
  symbols: () => Promise<SymbolIndex>,
  words: readonly string[],
): Promise<string[] | undefined> {
  const [first, ...rest] = words;
  if (first === undefined) return undefined;
  let index: SymbolIndex | undefined;
  try {
    index = await symbols();
  } catch {
    index = undefined;
  }
  if (rest.length === 0 && index?.lookup(first) !== undefined) return ["p", first];
  if (first === "enum") return ["whatis", ...words];
  let btf: Btf;
  try {
    btf = await kernel.btf();
  } catch {
    return undefined;
  }
  const name = first.split(".")[0] as string;
  const datatype = findDatatype(btf, name);
  if (datatype !== undefined) {
    if (datatype.typedef !== undefined && rest.length === 0) return ["whatis", ...words];
    return [datatype.type.kind === "union" ? "union" : "struct", ...words];
  }
  const other = btf.find(name);
  if (other !== undefined && other.kind !== "func" && other.kind !== "var" && rest.length === 0)
    return ["whatis", ...words];
  return undefined;
}

/** struct, union and typedef names starting with `prefix`, for tab completion */
export function structCompleter(kernel: Kernel): (prefix: string) => Promise<string[]> {
  let names: Promise<string[]> | undefined;
  return async (prefix) => {
    names ??= kernel
      .btf()
      .then((btf) => [...new Set(btf.typeNames(new Set(["struct", "union", "typedef"])))].sort())
      .catch(() => []);
    return (await names).filter((n) => n.startsWith(prefix));
  };
}
