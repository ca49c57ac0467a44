/**
 * @module kernel/btf/expression
 * The C expressions crash users give `p`, typed from BTF and read from the dump:
 * `*(struct sk_buff *) 0xffff…`, `((struct sock *) 0xffff…)->sk_write_queue.next`,
 * `&init_task`, `runqueues`, `$3->comm[0]`, `(unsigned long)jiffies`, `*(long *)&jiffies`,
 * `ptr + 1` (scaled as C does). Parsing and evaluation only: the shell prints the result.
 *
 * Symbols come from a callback: a per-CPU variable has a BTF VAR (so a type), a function a
 * BTF FUNC, and any other global only an address, which — as in gdb without debuginfo — must
 * be cast before it can be read. Errors are CrashlensErrors with gdb's wording where gdb has one.
 */
import { CrashlensError } from "../../errors.js";
import type { Btf } from "./btf.js";
import { typeName } from "./type-name.js";
import { type BtfValue, decodeValue } from "./value.js";

/** A type during evaluation: a BTF id, a pointer BTF may not spell, or a symbol with no type. */
export type ExprType =
  | { readonly id: number }
  | { readonly pointer: ExprType }
  | { readonly untyped: "data" | "text"; readonly name: string };

/** Something that lives in memory (gdb's lval_memory) or a computed scalar. */
export type Operand =
  | {
      readonly kind: "lvalue";
      readonly type: ExprType;
      readonly address: bigint;
      /** a bitfield's bit position from `address`, and its width (0 when not a bitfield) */
      readonly bitOffset: number;
      readonly bitSize: number;
    }
  | { readonly kind: "rvalue"; readonly type: ExprType; readonly value: bigint };

export interface SymbolInfo {
  address: bigint;
  /** the BTF type of a VAR (per-CPU variables) or FUNC; absent for other globals */
  typeId?: number;
  /** nm's type letter, to tell text from data when there is no type */
  letter?: string;
}

export interface ExpressionEnv {
  btf: Btf;
  read(address: bigint, length: number): Promise<Uint8Array>;
  symbol(name: string): SymbolInfo | undefined;
  /** `$N` (n > 0), `$` (0), `$$` (-1), `$$N` (-N): earlier results */
  history?(index: number, relative: boolean): Operand | undefined;
}

/** A finished evaluation: the operand (kept for `$N`), its decoded value and its C type name. */
export interface EvalResult {
  operand: Operand;
  value: BtfValue;
  typeText: string;
}

type Token =
  | { t: "num"; v: bigint }
  | { t: "id"; v: string }
  | { t: "hist"; v: string }
  | { t: "op"; v: string };

const OPS = ["->", "(", ")", "[", "]", ".", "*", "&", "+", "-", "~", ","];
const MAX_TOKENS = 512;
const MAX_DEPTH = 64;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (tokens.length > MAX_TOKENS) throw new CrashlensError("limit", "expression too long");
    const rest = text.slice(i);
    const hist = /^\$\$?\d*/.exec(rest);
    if (hist) {
      tokens.push({ t: "hist", v: hist[0] });
      i += hist[0].length;
      continue;
    }
    const num = /^(0x[0-9a-f]+|\d+)[ul]*(?![\w])/i.exec(rest);
    if (num) {
      tokens.push({ t: "num", v: BigInt((num[1] as string).toLowerCase()) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][\w.]*/.exec(rest);
    if (id) {
      // `a.b` splits into a, ., b (symbols never contain dots here, except `.cold` parts)
      const word = (/^[A-Za-z_]\w*/.exec(rest) as RegExpExecArray)[0];
      tokens.push({ t: "id", v: word });
      i += word.length;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op === undefined)
      throw new CrashlensError("usage", `A syntax error in expression, near \`${rest}'.`);
    tokens.push({ t: "op", v: op });
    i += op.length;
  }
  return tokens;
}

const TYPE_WORDS = new Set([
  "struct",
  "union",
  "enum",
  "unsigned",
  "signed",
  "const",
  "volatile",
  "long",
  "short",
  "int",
  "char",
  "void",
]);

/** C spellings of base types to the DWARF names BTF carries */
const BASE_NAMES: [string, string][] = [
  ["char", "char"],
  ["signed char", "signed char"],
  ["unsigned char", "unsigned char"],
  ["short", "short int"],
  ["short int", "short int"],
  ["signed short", "short int"],
  ["unsigned short", "short unsigned int"],
  ["unsigned short int", "short unsigned int"],
  ["int", "int"],
  ["signed", "int"],
  ["signed int", "int"],
  ["unsigned", "unsigned int"],
  ["unsigned int", "unsigned int"],
  ["long", "long int"],
  ["long int", "long int"],
  ["signed long", "long int"],
  ["unsigned long", "long unsigned int"],
  ["unsigned long int", "long unsigned int"],
  ["long unsigned int", "long unsigned int"],
  ["long long", "long long int"],
  ["long long int", "long long int"],
  ["unsigned long long", "long long unsigned int"],
  ["unsigned long long int", "long long unsigned int"],
  ["long long unsigned int", "long long unsigned int"],
];
const BASE = new Map(BASE_NAMES);

/** A type name as typed (`struct task_struct *`, `unsigned long`, `u64 **`) → an ExprType. */
export function parseTypeName(btf: Btf, text: string): ExprType | undefined {
  const m = /^\s*((?:(?:const|volatile)\s+)*)(.*?)\s*(\**)\s*$/.exec(text);
  if (!m) return undefined;
  const words = (m[2] as string)
    .replace(/\b(const|volatile)\b/g, " ")
    .trim()
    .split(/\s+/);
  const stars = (m[3] as string).length;
  let base: number | undefined;
  const head = words[0] ?? "";
  if ((head === "struct" || head === "union" || head === "enum") && words.length === 2) {
    base = btf.find(`${head} ${words[1]}`)?.id;
  } else if (words.length === 1 && head === "void") {
    base = 0;
  } else {
    const spelled = words.join(" ");
    const name = BASE.get(spelled) ?? spelled;
    const found = btf.find(name);
    if (
      found !== undefined &&
      found.kind !== "func" &&
      found.kind !== "var" &&
      found.kind !== "fwd"
    )
      base = found.id;
  }
  if (base === undefined) return undefined;
  let type: ExprType = { id: base };
  for (let i = 0; i < stars; i++) type = pointerTo(btf, type);
  return type;
}

const pointerIndex = new WeakMap<Btf, Map<number, number>>();

/** the BTF pointer type to `type` when BTF has one, else a synthetic pointer */
export function pointerTo(btf: Btf, type: ExprType): ExprType {
  if ("id" in type) {
    let index = pointerIndex.get(btf);
    if (index === undefined) {
      index = new Map();
      for (let id = 1; id < btf.count; id++) {
        const t = btf.type(id);
        if (t.kind === "ptr" && !index.has(t.type ?? 0)) index.set(t.type ?? 0, id);
      }
      pointerIndex.set(btf, index);
    }
    const id = index.get(type.id);
    if (id !== undefined) return { id };
  }
  return { pointer: type };
}

/** the C name of an ExprType */
export function exprTypeName(btf: Btf, type: ExprType): string {
  if ("id" in type) return typeName(btf, type.id);
  if ("untyped" in type) return `<${type.untyped} variable, no debug info>`;
  const inner = exprTypeName(btf, type.pointer);
  // a pointer to an array is spelled around the array's bounds: `char (*)[16]`
  if ("id" in type.pointer && safeKind(btf, type.pointer.id) === "array")
    return inner.replace(/ ?\[/, " (*)[");
  return inner.endsWith("*") ? `${inner}*` : `${inner} *`;
}

function safeKind(btf: Btf, id: number): string | undefined {
  try {
    return btf.resolve(id).kind;
  } catch {
    return undefined;
  }
}

type Shape =
  | { kind: "pointer"; target: ExprType }
  | { kind: "array"; element: ExprType; length: number }
  | { kind: "composite"; id: number }
  | { kind: "int"; size: number; signed: boolean }
  | { kind: "enum"; size: number }
  | { kind: "function" }
  | { kind: "untyped" }
  | { kind: "other"; what: string };

function shape(btf: Btf, type: ExprType): Shape {
  if ("untyped" in type) return { kind: "untyped" };
  if ("pointer" in type) return { kind: "pointer", target: type.pointer };
  const t = btf.resolve(type.id);
  switch (t.kind) {
    case "ptr":
      return { kind: "pointer", target: { id: t.type ?? 0 } };
    case "array":
      return { kind: "array", element: { id: t.array?.type ?? 0 }, length: t.array?.nelems ?? 0 };
    case "struct":
    case "union":
      return { kind: "composite", id: t.id };
    case "int":
      return { kind: "int", size: t.size ?? 0, signed: t.int?.signed ?? false };
    case "enum":
    case "enum64":
      return { kind: "enum", size: t.size ?? 4 };
    case "func_proto":
    case "func":
      return { kind: "function" };
    default:
      return { kind: "other", what: t.kind };
  }
}

function sizeOf(btf: Btf, type: ExprType): number {
  if (!("id" in type)) return 8;
  const size = btf.sizeof(type.id);
  if (size === undefined)
    throw new CrashlensError("usage", `type ${exprTypeName(btf, type)} has no size`);
  return size;
}

/** Evaluates `text`; throws CrashlensError (`usage` for mistakes, `fault` for unreadable memory). */
export async function evaluateExpression(env: ExpressionEnv, text: string): Promise<EvalResult> {
  const operand = await evaluateOperand(env, text);
  return materialize(env, operand);
}

/** Evaluates `text` to an operand without reading its value. */
export async function evaluateOperand(env: ExpressionEnv, text: string): Promise<Operand> {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new CrashlensError("usage", "no expression given");
  const parser = new Parser(env, tokens);
  const result = await parser.expression(0);
  if (!parser.done())
    throw new CrashlensError(
      "usage",
      `A syntax error in expression, near \`${parser.restText()}'.`,
    );
  return result;
}

/** Reads and decodes an operand's value. */
export async function materialize(env: ExpressionEnv, operand: Operand): Promise<EvalResult> {
  const { btf } = env;
  const typeText = exprTypeName(btf, operand.type);
  const s = shape(btf, operand.type);
  if (s.kind === "untyped") {
    const name = (operand.type as { name: string }).name;
    throw new CrashlensError("usage", `'${name}' has unknown type; cast it to its declared type`);
  }
  if (operand.kind === "rvalue")
    return { operand, value: scalarValue(btf, operand.type, operand.value), typeText };
  if (!("id" in operand.type)) {
    const bytes = await env.read(operand.address, 8);
    const value = readU64(bytes);
    return { operand, value: scalarValue(btf, operand.type, value, operand.address), typeText };
  }
  if (s.kind === "function")
    return {
      operand,
      value: {
        kind: "ptr",
        typeId: operand.type.id,
        value: operand.address,
        target: operand.type.id,
        address: operand.address,
      },
      typeText,
    };
  if (operand.bitSize > 0) {
    const length = Math.ceil((operand.bitOffset + operand.bitSize) / 8);
    const bytes = await env.read(operand.address, length);
    const value = decodeValue(btf, operand.type.id, bytes, {
      address: operand.address,
      bitOffset: operand.bitOffset,
      bitSize: operand.bitSize,
    });
    return { operand, value, typeText };
  }
  const size = sizeOf(btf, operand.type);
  if (size > 16 << 20)
    throw new CrashlensError("limit", `a value of ${size} bytes is too large to print`, {
      field: "value size",
      value: size,
      max: 16 << 20,
    });
  const bytes = await env.read(operand.address, size);
  return {
    operand,
    value: decodeValue(btf, operand.type.id, bytes, { address: operand.address }),
    typeText,
  };
}

function readU64(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

/** a scalar of `type` holding `value`, as the decoder would have produced it */
function scalarValue(btf: Btf, type: ExprType, value: bigint, address?: bigint): BtfValue {
  const base = address === undefined ? {} : { address };
  if (!("id" in type)) {
    const target = "pointer" in type && "id" in type.pointer ? type.pointer.id : 0;
    return { ...base, kind: "ptr", typeId: 0, value: BigInt.asUintN(64, value), target };
  }
  const size = btf.sizeof(type.id) ?? 8;
  const bytes = new Uint8Array(Math.max(size, 8));
  let v = BigInt.asUintN(64, value);
  for (let i = 0; i < 8; i++) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return decodeValue(
    btf,
    type.id,
    bytes,
    base.address === undefined ? {} : { address: base.address },
  );
}

class Parser {
  private at = 0;
  private readonly btf: Btf;

  constructor(
    private readonly env: ExpressionEnv,
    private readonly tokens: Token[],
  ) {
    this.btf = env.btf;
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  restText(): string {
    return this.tokens
      .slice(this.at)
      .map((t) => (t.t === "num" ? `0x${t.v.toString(16)}` : t.v))
      .join("");
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }

  private isOp(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.t === "op" && t.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v))
      throw new CrashlensError(
        "usage",
        `A syntax error in expression, near \`${this.restText()}'.`,
      );
    this.at++;
  }

  /** additive level: `a + b`, `p - 1` */
  async expression(depth: number): Promise<Operand> {
    if (depth > MAX_DEPTH) throw new CrashlensError("limit", "expression nested too deeply");
    let left = await this.unary(depth + 1);
    while (this.isOp("+") || this.isOp("-")) {
      const op = (this.tokens[this.at++] as { v: string }).v;
      const right = await this.unary(depth + 1);
      left = await this.arith(op, left, right);
    }
    return left;
  }

  private async arith(op: string, a: Operand, b: Operand): Promise<Operand> {
    const sa = shape(this.btf, a.type);
    const av = await this.scalar(a);
    const bv = await this.scalar(b);
    if (sa.kind === "pointer" || sa.kind === "array") {
      const target = sa.kind === "pointer" ? sa.target : sa.element;
      const step = BigInt("id" in target && target.id === 0 ? 1 : sizeOf(this.btf, target));
      const type = sa.kind === "pointer" ? a.type : pointerTo(this.btf, target);
      const value = op === "+" ? av + bv * step : av - bv * step;
      return { kind: "rvalue", type, value: BigInt.asUintN(64, value) };
    }
    const value = op === "+" ? av + bv : av - bv;
    return { kind: "rvalue", type: this.integerType(a, b), value };
  }

  private integerType(a: Operand, b: Operand): ExprType {
    const long = this.btf.find("long int");
    const sa = shape(this.btf, a.type);
    const sb = shape(this.btf, b.type);
    if (sa.kind === "int" && sa.size >= 8) return a.type;
    if (sb.kind === "int" && sb.size >= 8) return b.type;
    return sa.kind === "int" ? a.type : long !== undefined ? { id: long.id } : a.type;
  }

  private async unary(depth: number): Promise<Operand> {
    if (depth > MAX_DEPTH) throw new CrashlensError("limit", "expression nested too deeply");
    if (this.isOp("*")) {
      this.at++;
      return this.deref(await this.unary(depth + 1));
    }
    if (this.isOp("&")) {
      this.at++;
      const inner = await this.unary(depth + 1);
      if (inner.kind !== "lvalue")
        throw new CrashlensError(
          "usage",
          "Attempt to take address of value not located in memory.",
        );
      if (inner.bitSize > 0)
        throw new CrashlensError(
          "usage",
          "Attempt to take address of value not located in memory.",
        );
      const type =
        "untyped" in inner.type ? { pointer: inner.type } : pointerTo(this.btf, inner.type);
      return { kind: "rvalue", type, value: inner.address };
    }
    if (this.isOp("-") || this.isOp("~")) {
      const op = (this.tokens[this.at++] as { v: string }).v;
      const inner = await this.unary(depth + 1);
      const v = await this.scalar(inner);
      return { kind: "rvalue", type: inner.type, value: op === "-" ? -v : ~v };
    }
    if (this.isOp("(") && this.looksLikeType(1)) {
      this.at++;
      const start = this.at;
      while (!this.done() && !this.isOp(")")) this.at++;
      const text = this.tokens
        .slice(start, this.at)
        .map((t) => (t.t === "op" ? t.v : String(t.v)))
        .join(" ");
      this.expect(")");
      const type = parseTypeName(this.btf, text);
      if (type === undefined)
        throw new CrashlensError(
          "usage",
          `No symbol "${text.replace(/^(struct|union|enum) /, "")}" in current context.`,
        );
      return this.cast(type, await this.unary(depth + 1));
    }
    return this.postfix(depth + 1);
  }

  /** whether the tokens from `offset` spell a type name (then `(` starts a cast) */
  private looksLikeType(offset: number): boolean {
    const t = this.peek(offset);
    if (t?.t !== "id") return false;
    if (TYPE_WORDS.has(t.v)) return true;
    // a typedef name followed by `)` or `*`
    const next = this.peek(offset + 1);
    if (next?.t !== "op" || (next.v !== ")" && next.v !== "*")) return false;
    const found = this.btf.find(t.v);
    return found !== undefined && found.kind === "typedef";
  }

  private async cast(type: ExprType, inner: Operand): Promise<Operand> {
    const target = shape(this.btf, type);
    const source = shape(this.btf, inner.type);
    // casting an array or function decays it to its address; a typeless symbol is its memory
    if (inner.kind === "lvalue" && source.kind === "untyped") {
      if (target.kind === "composite" || target.kind === "array") return { ...inner, type };
      if (target.kind === "int" || target.kind === "enum" || target.kind === "pointer")
        return { kind: "lvalue", type, address: inner.address, bitOffset: 0, bitSize: 0 };
    }
    if (target.kind === "composite" || target.kind === "array") {
      if (inner.kind === "lvalue") return { ...inner, type };
      throw new CrashlensError("usage", "Invalid cast.");
    }
    const value = await this.scalar(inner);
    if (target.kind === "int") {
      const bits = BigInt(target.size * 8);
      const v = target.signed
        ? BigInt.asIntN(Number(bits), value)
        : BigInt.asUintN(Number(bits), value);
      return { kind: "rvalue", type, value: v };
    }
    return { kind: "rvalue", type, value: BigInt.asUintN(64, value) };
  }

  private async postfix(depth: number): Promise<Operand> {
    let value = await this.primary(depth);
    for (;;) {
      if (this.isOp("->")) {
        this.at++;
        value = await this.member(await this.deref(value), this.name());
      } else if (this.isOp(".")) {
        this.at++;
        value = await this.member(value, this.name());
      } else if (this.isOp("[")) {
        this.at++;
        const index = await this.scalar(await this.expression(depth + 1));
        this.expect("]");
        value = await this.index(value, index);
      } else return value;
    }
  }

  private name(): string {
    const t = this.tokens[this.at++];
    if (t?.t !== "id")
      throw new CrashlensError(
        "usage",
        `A syntax error in expression, near \`${this.restText()}'.`,
      );
    return t.v;
  }

  private async primary(depth: number): Promise<Operand> {
    const t = this.tokens[this.at++];
    if (t === undefined)
      throw new CrashlensError("usage", "A syntax error in expression, near `'.");
    if (t.t === "num") {
      const int = this.btf.find(t.v > 0x7fffffffn ? "long int" : "int");
      return {
        kind: "rvalue",
        type: int === undefined ? { pointer: { id: 0 } } : { id: int.id },
        value: t.v,
      };
    }
    if (t.t === "hist") {
      const relative = t.v.startsWith("$$") || t.v === "$";
      const digits = t.v.replace(/^\$\$?/, "");
      const index =
        t.v === "$" ? 0 : t.v === "$$" ? -1 : relative ? -Number(digits) : Number(digits);
      const found = this.env.history?.(index, relative);
      if (found === undefined)
        throw new CrashlensError("usage", `History has not yet reached ${t.v}.`);
      return found;
    }
    if (t.t === "id" && t.v === "sizeof" && this.isOp("(")) {
      // sizeof(TYPE) or sizeof(EXPRESSION): gdb's type is unsigned long
      this.at++;
      let size: number;
      if (this.looksLikeType(0)) {
        const start = this.at;
        let depth = 0;
        while (!this.done() && !(depth === 0 && this.isOp(")"))) {
          if (this.isOp("(")) depth++;
          if (this.isOp(")")) depth--;
          this.at++;
        }
        const text = this.tokens
          .slice(start, this.at)
          .map((k) => (k.t === "op" ? k.v : String(k.v)))
          .join(" ");
        const type = parseTypeName(this.btf, text);
        if (type === undefined)
          throw new CrashlensError("usage", `No symbol "${text}" in current context.`);
        size = sizeOf(this.btf, type);
      } else size = sizeOf(this.btf, (await this.expression(depth + 1)).type);
      this.expect(")");
      const ulong = this.btf.find("long unsigned int");
      return {
        kind: "rvalue",
        type: ulong === undefined ? { pointer: { id: 0 } } : { id: ulong.id },
        value: BigInt(size),
      };
    }
    if (t.t === "id") {
      const sym = this.env.symbol(t.v);
      if (sym === undefined) {
        const hex = /^[0-9a-f]{9,16}$/i.test(t.v) ? BigInt(`0x${t.v}`) : undefined;
        if (hex !== undefined) {
          const long = this.btf.find("long int");
          return {
            kind: "rvalue",
            type: long === undefined ? { pointer: { id: 0 } } : { id: long.id },
            value: hex,
          };
        }
        throw new CrashlensError("not-found", `No symbol "${t.v}" in current context.`);
      }
      if (sym.typeId !== undefined) {
        const type = this.btf.type(sym.typeId);
        const id = type.kind === "var" || type.kind === "func" ? (type.type ?? 0) : sym.typeId;
        return { kind: "lvalue", type: { id }, address: sym.address, bitOffset: 0, bitSize: 0 };
      }
      const text = /^[tTwW]$/.test(sym.letter ?? "");
      return {
        kind: "lvalue",
        type: { untyped: text ? "text" : "data", name: t.v },
        address: sym.address,
        bitOffset: 0,
        bitSize: 0,
      };
    }
    if (t.v === "(") {
      const inner = await this.expression(depth + 1);
      this.expect(")");
      return inner;
    }
    this.at--;
    throw new CrashlensError("usage", `A syntax error in expression, near \`${this.restText()}'.`);
  }

  /** a scalar's value: reads it when in memory */
  private async scalar(op: Operand): Promise<bigint> {
    const s = shape(this.btf, op.type);
    if (op.kind === "rvalue") return op.value;
    if (s.kind === "array" || s.kind === "function") return op.address;
    if (s.kind === "untyped") {
      const name = (op.type as { name: string }).name;
      throw new CrashlensError("usage", `'${name}' has unknown type; cast it to its declared type`);
    }
    if (s.kind === "composite") throw new CrashlensError("usage", "Invalid cast.");
    const result = await materialize(this.env, op);
    const v = result.value;
    if (v.kind === "int" || v.kind === "enum" || v.kind === "ptr") return v.value;
    throw new CrashlensError("usage", "Argument to arithmetic operation not a number or boolean.");
  }

  private async deref(op: Operand): Promise<Operand> {
    const s = shape(this.btf, op.type);
    if (s.kind === "array")
      return {
        kind: "lvalue",
        type: s.element,
        address: await this.scalar(op),
        bitOffset: 0,
        bitSize: 0,
      };
    if (s.kind !== "pointer")
      throw new CrashlensError("usage", "Attempt to take contents of a non-pointer value.");
    if ("id" in s.target && s.target.id === 0)
      throw new CrashlensError("usage", "Attempt to take contents of a non-pointer value.");
    return {
      kind: "lvalue",
      type: s.target,
      address: await this.scalar(op),
      bitOffset: 0,
      bitSize: 0,
    };
  }

  private async member(op: Operand, name: string): Promise<Operand> {
    const s = shape(this.btf, op.type);
    if (s.kind !== "composite") {
      const what = s.kind === "pointer" ? "a pointer" : "not a structure or union";
      throw new CrashlensError(
        "usage",
        s.kind === "pointer"
          ? `The -> operator must be used on ${what}; use -> instead of . for ${name}`
          : `Attempt to extract a component of a value that is not a structure.`,
      );
    }
    if (op.kind !== "lvalue")
      throw new CrashlensError(
        "usage",
        "Attempt to extract a component of a value not located in memory.",
      );
    const found = this.btf.member(s.id, name);
    if (found === undefined)
      throw new CrashlensError("not-found", `There is no member named ${name}.`);
    const bitOffset = op.bitOffset + found.bitOffset;
    return {
      kind: "lvalue",
      type: { id: found.type },
      address: op.address + BigInt(Math.floor(bitOffset / 8)),
      bitOffset: found.bitSize > 0 ? bitOffset % 8 : 0,
      bitSize: found.bitSize,
    };
  }

  private async index(op: Operand, index: bigint): Promise<Operand> {
    const s = shape(this.btf, op.type);
    if (s.kind === "array") {
      if (op.kind !== "lvalue")
        throw new CrashlensError("usage", "cannot subscript a value not located in memory");
      const step = BigInt(sizeOf(this.btf, s.element));
      return {
        kind: "lvalue",
        type: s.element,
        address: BigInt.asUintN(64, op.address + index * step),
        bitOffset: 0,
        bitSize: 0,
      };
    }
    if (s.kind === "pointer") {
      const base = await this.scalar(op);
      const step = BigInt(sizeOf(this.btf, s.target));
      return {
        kind: "lvalue",
        type: s.target,
        address: BigInt.asUintN(64, base + index * step),
        bitOffset: 0,
        bitSize: 0,
      };
    }
    throw new CrashlensError("usage", "cannot subscript something of this type");
  }
}
