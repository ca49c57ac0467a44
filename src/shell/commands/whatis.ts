/**
 * @module shell/commands/whatis
 * `whatis` as crash has it — a struct, union or typedef prints its definition and size (as
 * `struct NAME`), an enum its enumerators, a function its prototype from BTF FUNC
 * (`void call_timer_fn(struct timer_list *, void (*)(struct timer_list *), long unsigned
 * int);`), a per-CPU variable its declaration — and `ptype`, which crash passes to gdb:
 * `type = struct timer_list {` … `}` for a type, `type = int` for an expression's type.
 */

import { CrashlensError } from "../../errors.js";
import type { Btf } from "../../kernel/btf/btf.js";
import { evaluateOperand, exprTypeName, parseTypeName } from "../../kernel/btf/expression.js";
import { declaration, typeName } from "../../kernel/btf/type-name.js";
import {
  type CommandContext,
  type ParsedArgs,
  type ShellCommand,
  ShellCommandError,
  ShellUsageError,
} from "../command.js";
import { declarationLines, findDatatype } from "../format/datatype.js";
import { ptypeLines } from "../format/ptype.js";
import type { SymbolIndex } from "../symbol-index.js";
import { expressionEnv } from "./p.js";
import { sessionBtf } from "./struct.js";

async function maybeSymbols(ctx: CommandContext): Promise<SymbolIndex | undefined> {
  try {
    return await ctx.symbols();
  } catch {
    return undefined;
  }
}

/** `void schedule(void)`, `void call_timer_fn(struct timer_list *, …)` */
export function functionDeclaration(btf: Btf, name: string): string | undefined {
  for (const id of btf.idsNamed(name)) {
    const func = btf.type(id);
    if (func.kind !== "func") continue;
    // type-name's declarator parenthesizes the name as for a pointer: `void (f)(int)`
    return declaration(btf, func.type ?? 0, name).replace(`(${name})(`, `${name}(`);
  }
  return undefined;
}

/** a global's declaration when BTF types it (per-CPU VARs, FUNCs) */
function variableDeclaration(btf: Btf, name: string): string | undefined {
  const fn = functionDeclaration(btf, name);
  if (fn !== undefined) return fn;
  const v = btf.find(name, "var");
  return v === undefined ? undefined : declaration(btf, v.type ?? 0, name);
}

function enumLines(btf: Btf, id: number, name: string): string[] {
  const type = btf.type(id);
  const lines = [`enum ${name} {`];
  for (const e of type.enumValues ?? []) lines.push(`  ${e.name} = ${e.value},`);
  lines.push("};");
  return lines;
}

/** the enum holding an enumerator, and its value */
function enumeratorOf(btf: Btf, name: string): { type: string; value: bigint } | undefined {
  for (let id = 1; id < btf.count; id++) {
    const t = btf.type(id);
    if (t.kind !== "enum" && t.kind !== "enum64") continue;
    const e = t.enumValues?.find((v) => v.name === name);
    if (e !== undefined) return { type: t.name, value: e.value };
  }
  return undefined;
}

async function runWhatis(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const words = [...args.positional];
  if (words.length === 0) throw new ShellUsageError("");
  const btf = await sessionBtf(ctx.kernel);
  const radix = ctx.settings.radix;
  let kinds: string[] = ["struct", "union"];
  const first = words[0] as string;
  if (first === "struct" || first === "union" || first === "enum") {
    kinds = [first];
    words.shift();
  } else {
    const symbols = await maybeSymbols(ctx);
    if (symbols?.lookup(first) !== undefined) {
      const decl = variableDeclaration(btf, first);
      ctx.out.write(
        `${decl ?? `<${/^[tTwW]$/.test(symbols.lookup(first)?.type ?? "") ? "text" : "data"} variable, no debug info> ${first}`};\n`,
      );
      return;
    }
  }
  const name = words.join(" ");
  if (name === "") throw new ShellUsageError("");
  const datatype = findDatatype(btf, name, [...kinds, ...(kinds.length === 2 ? ["enum"] : [])]);
  if (datatype !== undefined) {
    if (datatype.type.kind === "enum" || datatype.type.kind === "enum64") {
      ctx.out.write(
        enumLines(btf, datatype.type.id, datatype.name)
          .map((l) => `${l}\n`)
          .join(""),
      );
      return;
    }
    ctx.out.write(
      declarationLines(btf, datatype, { offsets: args.has("o"), radix })
        .map((l) => `${l}\n`)
        .join(""),
    );
    return;
  }
  const enumerator = kinds.length === 2 ? enumeratorOf(btf, name) : undefined;
  if (enumerator !== undefined) {
    ctx.out.write(
      `enum${enumerator.type === "" ? "" : ` ${enumerator.type}`} = ${enumerator.value}\n`,
    );
    return;
  }
  // a typedef of a base type, a base type, or a function
  const other = btf.find(name);
  if (other !== undefined && other.kind === "typedef") {
    // gdb's ptype resolves every typedef level: `typedef unsigned int u32;`
    ctx.out.write(
      `typedef ${declaration(btf, btf.resolve(other.id).id, name)};\nSIZE: ${btf.sizeof(other.id) ?? 0}\n`,
    );
    return;
  }
  const fn = functionDeclaration(btf, name);
  if (fn !== undefined) {
    ctx.out.write(`${fn};\n`);
    return;
  }
  const base = parseTypeName(btf, name);
  if (base !== undefined && "id" in base) {
    ctx.out.write(`${typeName(btf, base.id)};\nSIZE: ${btf.sizeof(base.id) ?? 0}\n`);
    return;
  }
  ctx.err.write(`whatis: cannot resolve: ${name}\n`);
  throw new ShellUsageError("");
}

async function runPtype(ctx: CommandContext, args: ParsedArgs): Promise<void> {
  const text = args.positional.join(" ").trim();
  if (text === "") throw new ShellUsageError("");
  const btf = await sessionBtf(ctx.kernel);
  const write = (lines: readonly string[]) =>
    ctx.out.write(lines.map((l, i) => `${i === 0 ? "type = " : ""}${l}\n`).join(""));
  const tagged = /^(struct|union|enum)\s+(\w+)$/.exec(text);
  if (tagged !== null) {
    const t = btf.find(text);
    if (t === undefined || t.kind === "fwd")
      throw new ShellCommandError(`No ${tagged[1]} type named ${tagged[2]}.`);
    write(ptypeLines(btf, t.id));
    return;
  }
  const fn = btf
    .idsNamed(text)
    .map((id) => btf.type(id))
    .find((t) => t.kind === "func");
  if (fn !== undefined) {
    write([typeName(btf, fn.type ?? 0).replace(" (*)(", " (")]);
    return;
  }
  const type = parseTypeName(btf, text);
  if (type !== undefined) {
    write("id" in type ? expand(btf, type.id) : [exprTypeName(btf, type)]);
    return;
  }
  try {
    const operand = await evaluateOperand(expressionEnv(ctx, btf, await maybeSymbols(ctx)), text);
    write("id" in operand.type ? expand(btf, operand.type.id) : [exprTypeName(btf, operand.type)]);
  } catch (error) {
    if (error instanceof CrashlensError) throw new ShellCommandError(error.message);
    throw error;
  }
}

/** gdb's ptype shows a struct's (or a typedef's struct's) members; other types by name */
function expand(btf: Btf, id: number): string[] {
  const resolved = btf.resolve(id);
  if (
    resolved.kind === "struct" ||
    resolved.kind === "union" ||
    resolved.kind === "enum" ||
    resolved.kind === "enum64"
  )
    return ptypeLines(btf, resolved.id);
  const t = btf.type(id);
  return [typeName(btf, t.kind === "typedef" ? (t.type ?? 0) : id)];
}

export const whatisCommand: ShellCommand = {
  name: "whatis",
  summary: "search symbol table for data or type information",
  usage: "[[-o] [struct | union | typedef | symbol]]",
  options: [{ flag: "o", description: "show member offsets" }],
  help: [
    "Shows the definition of a struct, union, typedef or enum from the dump's BTF (with -o,",
    "member offsets), the prototype of a kernel function (from BTF FUNC records), or the",
    "declaration of a per-CPU variable. Other global variables have no type in BTF.",
  ].join("\n"),
  examples: [
    "crash> whatis call_timer_fn",
    "void call_timer_fn(struct timer_list *, void (*)(struct timer_list *), long unsigned int);",
  ].join("\n"),
  run: runWhatis,
};

export const ptypeCommand: ShellCommand = {
  name: "ptype",
  summary: "print the type of a type name or expression (gdb)",
  usage: "[struct | union | enum] name | expression",
  options: [],
  help: "gdb's ptype over the dump's BTF: `type = ` and the type, structs and unions written out.",
  examples: [
    "crash> ptype struct list_head",
    "type = struct list_head {",
    "    struct list_head *next;",
    "    struct list_head *prev;",
    "}",
  ].join("\n"),
  run: runPtype,
};
