/**
 * @module shell/commands/p
 * `p EXPR` (and `p/x`, `p/d`, … as gdb spells formats): a C expression typed from the dump's
 * BTF — `p *(struct sk_buff *) 0xffff…`, `p ((struct sock *) 0xffff…)->sk_write_queue`,
 * `p &init_task`, `p $3->comm` — printed as crash prints gdb's answer: `$12 = {` … `}`,
 * numbered like gdb's value history; a symbol alone as `jiffies = $1 = …`. A per-CPU variable
 * (BTF has a VAR for those) alone lists its type and each CPU's address, and `NAME:cpus`
 * prints each CPU's instance (`per_cpu(runqueues, 0) = $2 = {`). Any other global has no
 * type in BTF: the command says so and shows the casts (or `rd`) that read it.
 */

import { CrashlensError } from "../../errors.js";
import type { Btf } from "../../kernel/btf/btf.js";
import {
  type EvalResult,
  type ExpressionEnv,
  evaluateExpression,
  materialize,
  type Operand,
  parseTypeName,
} from "../../kernel/btf/expression.js";
import { declaration, typeName } from "../../kernel/btf/type-name.js";
import {
  type CommandContext,
  type ParsedArgs,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { formatGdbTopLevel, type GdbPrintOptions, type PrintFormat } from "../format/gdb-value.js";
import { printOptions } from "../format/print-context.js";
import type { ShellSettings } from "../settings.js";
import type { SymbolIndex } from "../symbol-index.js";
import { perCpuOffsets, sessionBtf } from "./struct.js";

/** gdb's value history, one per session (keyed by the session's settings object) */
const histories = new WeakMap<ShellSettings, Operand[]>();

function historyOf(ctx: CommandContext): Operand[] {
  let list = histories.get(ctx.settings);
  if (list === undefined) {
    list = [];
    histories.set(ctx.settings, list);
  }
  return list;
}

const FORMATS = new Set(["x", "d", "u", "o", "t", "c", "a", "z"]);

async function maybeSymbols(ctx: CommandContext): Promise<SymbolIndex | undefined> {
  try {
    return await ctx.symbols();
  } catch {
    return undefined;
  }
}

/** the expression environment over the session: memory, kallsyms + BTF VAR/FUNC, history */
export function expressionEnv(
  ctx: CommandContext,
  btf: Btf,
  symbols: SymbolIndex | undefined,
): ExpressionEnv {
  const history = historyOf(ctx);
  return {
    btf,
    read: async (address, length) => {
      try {
        return await ctx.kernel.memory.read(address, length);
      } catch (error) {
        // name the first byte asked for, not the start of its page, as gdb does
        const at = error instanceof CrashlensError ? error.details.address : undefined;
        if (
          error instanceof CrashlensError &&
          error.code === "fault" &&
          at !== undefined &&
          at < address
        )
          throw new CrashlensError("fault", error.message, { ...error.details, address });
        throw error;
      }
    },
    symbol: (name) => {
      const sym = symbols?.lookup(name);
      if (sym === undefined) return undefined;
      const typed = btf.find(name, "var") ?? btf.find(name, "func");
      return typed === undefined
        ? { address: sym.address, letter: sym.type }
        : { address: sym.address, typeId: typed.id, letter: sym.type };
    },
    history: (index, relative) => {
      if (!relative) return history[index - 1];
      return history[history.length - 1 + index];
    },
  };
}

/** a BTF VAR in a per-CPU data section */
function perCpuVar(btf: Btf, name: string): number | undefined {
  const v = btf.find(name, "var");
  if (v === undefined) return undefined;
  for (const id of btf.idsNamed(".data..percpu")) {
    const sec = btf.type(id);
    if (sec.kind === "datasec" && sec.secinfo?.some((s) => s.type === v.id)) return v.type ?? 0;
  }
  return undefined;
}

async function runP(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  if (args.has("x") && args.has("d"))
    throw new ShellCommandError("-d and -x are mutually exclusive");
  const slash = /^[a-z]+\/(\w+)$/.exec(args.command);
  const format = slash?.[1]?.[0];
  if (slash !== null && (format === undefined || !FORMATS.has(format)))
    throw new ShellCommandError(`Undefined output format "${slash?.[1] ?? ""}".`);
  const text = args.positional.join(" ").trim();
  if (text === "") throw new ShellUsageError("");
  const radix: 10 | 16 = args.has("x") ? 16 : args.has("d") ? 10 : ctx.settings.radix;
  const base: GdbPrintOptions = {
    radix,
    ...(format === undefined ? {} : { format: format as PrintFormat }),
  };
  const btf = await sessionBtf(ctx.kernel);
  const symbols = await maybeSymbols(ctx);
  const env = expressionEnv(ctx, btf, symbols);

  const alone = /^([A-Za-z_]\w*)(?::([\w,-]*))?$/.exec(text);
  const symbol = alone === null ? undefined : symbols?.lookup(alone[1] as string);
  if (alone !== null && symbol !== undefined) {
    const name = alone[1] as string;
    const cpuspec = alone[2];
    const varType = perCpuVar(btf, name);
    if (varType !== undefined) {
      const offsets = await perCpuOffsets(ctx.kernel, symbols as SymbolIndex);
      if (cpuspec === undefined) {
        ctx.out.write(
          `PER-CPU DATA TYPE:\n  ${declaration(btf, varType, name)};\nPER-CPU ADDRESSES:\n`,
        );
        offsets.forEach((offset, cpu) => {
          ctx.out.write(
            `  [${cpu}]: ${BigInt.asUintN(64, symbol.address + offset).toString(16)}\n`,
          );
        });
        return;
      }
      const cpus =
        cpuspec === "" || cpuspec === "a"
          ? offsets.map((_, i) => i)
          : parseCpuList(cpuspec, offsets.length);
      for (const cpu of cpus) {
        const address = BigInt.asUintN(64, symbol.address + (offsets[cpu] ?? 0n));
        const operand: Operand = {
          kind: "lvalue",
          type: { id: varType },
          address,
          bitOffset: 0,
          bitSize: 0,
        };
        await printResult(
          ctx,
          btf,
          symbols,
          await materialize(env, operand),
          base,
          `per_cpu(${name}, ${cpu})`,
        );
      }
      return;
    }
    if (cpuspec !== undefined)
      ctx.err.write(`p: WARNING: ${name} is not percpu; cpuspec ignored.\n`);
    await printResult(ctx, btf, symbols, await evaluate(env, name, symbol.address), base, name);
    return;
  }
  await printResult(ctx, btf, symbols, await evaluate(env, text), base);
}

function parseCpuList(spec: string, count: number): number[] {
  const cpus = new Set<number>();
  for (const part of spec.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ShellCommandError(`invalid cpu specification: ${spec}`);
    for (let c = Number(m[1]); c <= Number(m[2] ?? m[1]) && c < count; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/**
 * The declared types of globals people print most, for the hint when BTF has no VAR for them
 * (kernel sources; only a suggestion: the cast is the user's to type)
 */
const KNOWN_GLOBALS: Record<string, string> = {
  init_task: "struct task_struct",
  init_mm: "struct mm_struct",
  init_nsproxy: "struct nsproxy",
  init_net: "struct net",
  init_pid_ns: "struct pid_namespace",
  modules: "struct list_head",
  slab_caches: "struct list_head",
  super_blocks: "struct list_head",
  jiffies: "unsigned long",
  jiffies_64: "u64",
  tainted_mask: "unsigned long",
  panic_cpu: "atomic_t",
  nr_threads: "int",
  prb: "struct printk_ringbuffer *",
  __per_cpu_offset: "unsigned long",
};

/** evaluates, turning gdb's "unknown type" into an explanation of what BTF lacks */
async function evaluate(env: ExpressionEnv, text: string, address?: bigint): Promise<EvalResult> {
  try {
    return await evaluateExpression(env, text);
  } catch (error) {
    if (error instanceof CrashlensError && /has unknown type/.test(error.message)) {
      const name = /'([^']+)'/.exec(error.message)?.[1] ?? text;
      const at = address === undefined ? "" : ` (at ${address.toString(16)})`;
      const known = KNOWN_GLOBALS[name];
      const cast =
        known !== undefined && parseTypeName(env.btf, known) !== undefined
          ? known
          : "unsigned long";
      throw new ShellCommandError(
        `${error.message}\np: ${name}${at} has no type in the dump's BTF, which types only per-CPU variables and functions;\n` +
          `   cast it, e.g. p *(${cast} *)&${name}, or read it with rd ${name}`,
      );
    }
    if (error instanceof CrashlensError && (error.code === "usage" || error.code === "not-found"))
      throw new ShellCommandError(error.message);
    // gdb's words for an unreadable address (the dump lacks the page, or nothing maps it)
    if (
      error instanceof CrashlensError &&
      error.code === "fault" &&
      error.details.address !== undefined
    )
      throw new ShellCommandError(
        `Cannot access memory at address 0x${error.details.address.toString(16)}`,
      );
    throw error;
  }
}

async function printResult(
  ctx: CommandContext,
  btf: Btf,
  symbols: SymbolIndex | undefined,
  result: EvalResult,
  base: GdbPrintOptions,
  leader?: string,
): Promise<void> {
  const history = historyOf(ctx);
  history.push(result.operand);
  const n = history.length;
  const options = await printOptions(ctx.kernel, symbols, btf, result.value, base);
  let body: string;
  const type = "id" in result.operand.type ? safeKind(btf, result.operand.type.id) : undefined;
  if (
    (type === "func" || type === "func_proto") &&
    result.value.kind === "ptr" &&
    options.format === undefined
  ) {
    const id = (result.operand.type as { id: number }).id;
    const proto = btf.type(id).kind === "func" ? (btf.type(id).type ?? 0) : id;
    const sym = options.symbolize?.(result.value.value, "function");
    const spelled = typeName(btf, proto).replace(" (*)(", " (");
    body = `{${spelled}} 0x${result.value.value.toString(16)}${sym === undefined ? "" : ` <${sym}>`}`;
  } else {
    body = formatGdbTopLevel(btf, result.value, options, result.typeText);
  }
  ctx.out.write(`${leader === undefined ? "" : `${leader} = `}$${n} = ${body}\n`);
}

function safeKind(btf: Btf, id: number): string | undefined {
  try {
    return btf.resolve(id).kind;
  } catch {
    return undefined;
  }
}

export const pCommand: ShellCommand = {
  name: "p",
  aliases: ["print", ...[...FORMATS].flatMap((f) => [`p/${f}`, `print/${f}`])],
  summary: "print the value of an expression",
  usage: "[-x|-d][-u] expression | symbol[:cpuspec]",
  options: [
    { flag: "x", description: "integers in hexadecimal" },
    { flag: "d", description: "integers in decimal" },
    { flag: "u", description: "the expression is a user-space address (ignored)" },
  ],
  help: [
    "Prints the value of a C expression as gdb does inside crash, typed from the dump's BTF:",
    "casts to struct, union, typedef and base types, ->, ., [], & and *, + and - on pointers,",
    "and $N, $, $$ for earlier results. p/x, p/d, p/u, p/o, p/t, p/c, p/a, p/z choose gdb's",
    "output format. A per-CPU variable alone shows its type and per-CPU addresses; NAME:cpus",
    "(NAME:a for all) shows each CPU's instance. Other global variables have no type in BTF:",
    "cast their address (p *(unsigned long *)&jiffies) or use rd.",
  ].join("\n"),
  examples: [
    "crash> p *(struct sk_buff *) 0xffff8801089c9038",
    "$12 = {",
    "  next = 0xffff8801089c9038,",
    "  prev = 0x0,",
    "...",
    "crash> p runqueues",
    "PER-CPU DATA TYPE:",
    "  struct rq runqueues;",
    "PER-CPU ADDRESSES:",
    "  [0]: ffff8bec4f82c0c0",
  ].join("\n"),
  run: runP,
};
