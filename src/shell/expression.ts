/**
 * @module shell/expression
 * crash's integer expressions (`eval`, and `( … )` addresses in `rd`/`dis`): 64-bit unsigned
 * arithmetic with `+ - * / % << >> & | ^ ~` and parentheses, C precedence. Numbers follow
 * crash's rules: `0x…` is hexadecimal, digits alone are decimal, digits with `a-f` are
 * hexadecimal ("not required when obvious"), and a `k`/`m`/`g` suffix multiplies by 1024,
 * 1 MiB or 1 GiB. Any other word is a symbol and stands for its address.
 */
import { ShellCommandError } from "./command.js";

const MASK = (1n << 64n) - 1n;
const wrap = (v: bigint) => v & MASK;

const SUFFIX: Record<string, bigint> = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n };

/** A number word as crash reads it, or undefined when the word is not a number. */
export function parseNumber(word: string): bigint | undefined {
  if (/^0x[0-9a-f]+$/i.test(word)) return wrap(BigInt(word));
  const scaled = /^([0-9]+)([kmg])$/i.exec(word);
  if (scaled)
    return wrap(
      BigInt(scaled[1] as string) * (SUFFIX[(scaled[2] as string).toLowerCase()] as bigint),
    );
  if (/^[0-9]+$/.test(word)) return wrap(BigInt(word));
  if (/^[0-9a-f]+$/i.test(word)) return wrap(BigInt(`0x${word}`));
  return undefined;
}

/** An address word: hexadecimal always (crash's `htoll` for `rd`/`dis` addresses). */
export function parseHexAddress(word: string): bigint | undefined {
  const digits = word.replace(/^0x/i, "");
  return /^[0-9a-f]{1,16}$/i.test(digits) ? BigInt(`0x${digits}`) : undefined;
}

type Token =
  | { kind: "num"; value: bigint }
  | { kind: "sym"; name: string }
  | { kind: "op"; op: string };

const OPERATORS = ["<<", ">>", "+", "-", "*", "/", "%", "&", "|", "^", "~", "(", ")"];

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: "op", op });
      i += op.length;
      continue;
    }
    const word = /^[A-Za-z0-9_.$]+/.exec(text.slice(i))?.[0];
    if (word === undefined) return undefined;
    const value = parseNumber(word);
    tokens.push(value === undefined ? { kind: "sym", name: word } : { kind: "num", value });
    i += word.length;
  }
  return tokens;
}

/** the binary operators by precedence, loosest first (C's order) */
const LEVELS: readonly (readonly string[])[] = [
  ["|"],
  ["^"],
  ["&"],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

export type SymbolValue = (name: string) => bigint | undefined;

/**
 * Evaluates `text`; throws ShellCommandError naming what is wrong (`invalid expression: …`,
 * `symbol not found: …`, `divide by zero`).
 */
export function evaluate(text: string, symbol: SymbolValue): bigint {
  const tokens = tokenize(text);
  const invalid = () => new ShellCommandError(`invalid expression: ${text}`);
  if (tokens === undefined || tokens.length === 0) throw invalid();
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (t: Token | undefined, ops: readonly string[]): t is { kind: "op"; op: string } =>
    t?.kind === "op" && ops.includes(t.op);

  const level = (n: number): bigint => {
    if (n === LEVELS.length) return unary();
    let left = level(n + 1);
    for (;;) {
      const t = peek();
      if (!isOp(t, LEVELS[n] as readonly string[])) return left;
      at++;
      left = apply(t.op, left, level(n + 1));
    }
  };
  const unary = (): bigint => {
    const t = peek();
    if (isOp(t, ["~", "-", "+"])) {
      at++;
      const v = unary();
      return t.op === "~" ? wrap(~v) : t.op === "-" ? wrap(-v) : v;
    }
    return primary();
  };
  const primary = (): bigint => {
    const t = tokens[at++];
    if (t === undefined) throw invalid();
    if (t.kind === "num") return t.value;
    if (t.kind === "sym") {
      const v = symbol(t.name);
      if (v === undefined) throw new ShellCommandError(`symbol not found: ${t.name}`);
      return v;
    }
    if (t.op !== "(") throw invalid();
    const v = level(0);
    if (!isOp(tokens[at++], [")"])) throw invalid();
    return v;
  };
  const value = level(0);
  if (at !== tokens.length) throw invalid();
  return value;
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case "+":
      return wrap(a + b);
    case "-":
      return wrap(a - b);
    case "*":
      return wrap(a * b);
    case "/":
    case "%":
      if (b === 0n) throw new ShellCommandError("divide by zero");
      return op === "/" ? a / b : a % b;
    case "<<":
      return b >= 64n ? 0n : wrap(a << b);
    case ">>":
      return b >= 64n ? 0n : a >> b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    default:
      return a ^ b;
  }
}
