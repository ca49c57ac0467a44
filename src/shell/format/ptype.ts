/**
 * @module shell/format/ptype
 * Type definitions as gdb's `ptype` prints them (c_type_print): `struct timer_list {`, one
 * member per line indented four spaces per level, anonymous structs, unions and enums written
 * out in place (`    union {` … `    };`), bitfields as `unsigned int x : 1;`, then `}`. crash's
 * `struct NAME` prints these lines (without gdb's `type = `), and `struct -o` rewrites each
 * member line with its offset as crash's show_member_offset does (`   [0] struct hlist_node
 * entry;`), including its quirks: offsets right-aligned to the width of the struct's size,
 * members of a named member's anonymous type left without one.
 */
import type { Btf, BtfType } from "../../kernel/btf/btf.js";
import { declaration, typeName } from "../../kernel/btf/type-name.js";

const MAX_DEPTH = 32;

/** the lines of `ptype` for a struct, union or enum type (no `type = `) */
export function ptypeLines(btf: Btf, typeId: number): string[] {
  const type = btf.type(typeId);
  if (type.kind === "struct" || type.kind === "union") {
    const lines: string[] = [];
    const head = type.name === "" ? `${type.kind} {` : `${type.kind} ${type.name} {`;
    lines.push(head);
    body(btf, type, 1, lines, 0);
    lines.push("}");
    return lines;
  }
  if (type.kind === "enum" || type.kind === "enum64") return [enumInline(type, true)];
  if (type.kind === "typedef") {
    const target = btf.resolve(typeId);
    if ((target.kind === "struct" || target.kind === "union") && target.name === "")
      return ptypeLines(btf, target.id);
    return [typeName(btf, type.type ?? 0)];
  }
  return [typeName(btf, typeId)];
}

/** lines one definition may take (damaged BTF can nest an anonymous type in itself) */
const MAX_LINES = 100_000;

function body(btf: Btf, type: BtfType, level: number, lines: string[], depth: number): void {
  const indent = " ".repeat(4 * level);
  if (lines.length > MAX_LINES) return;
  const members = type.members ?? [];
  if (members.length === 0) {
    lines.push(`${indent}<no data fields>`);
    return;
  }
  for (const m of members) {
    const inner = anonymousAggregate(btf, m.type);
    if (inner !== undefined && depth < MAX_DEPTH) {
      // gdb writes the anonymous type out, then the declarator: `} name;`, `} *parts;`
      const spelled = declaration(btf, m.type, m.name);
      const at = spelled.indexOf("{...}");
      const rest = at < 0 ? (m.name === "" ? "" : ` ${m.name}`) : spelled.slice(at + 5).trimEnd();
      lines.push(`${indent}${inner.kind} {`);
      body(btf, inner, level + 1, lines, depth + 1);
      lines.push(`${indent}}${rest}${m.bitSize > 0 ? ` : ${m.bitSize}` : ""};`);
      continue;
    }
    const anonEnum = anonymousEnum(btf, m.type);
    const decl =
      anonEnum !== undefined
        ? `${enumInline(anonEnum, false)}${m.name === "" ? "" : ` ${m.name}`}`
        : declaration(btf, m.type, m.name);
    lines.push(`${indent}${decl}${m.bitSize > 0 ? ` : ${m.bitSize}` : ""};`);
  }
}

/**
 * the member's own anonymous struct or union — also behind qualifiers, pointers and array
 * bounds, which gdb's ptype writes out the same way — to be written out
 */
function anonymousAggregate(btf: Btf, id: number): BtfType | undefined {
  let t = safeType(btf, id);
  const through = new Set(["const", "volatile", "restrict", "ptr", "array"]);
  for (let i = 0; t !== undefined && i < 8 && through.has(t.kind); i++)
    t = safeType(btf, (t.kind === "array" ? t.array?.type : t.type) ?? 0);
  if (t === undefined || (t.kind !== "struct" && t.kind !== "union") || t.name !== "")
    return undefined;
  return t;
}

function anonymousEnum(btf: Btf, id: number): BtfType | undefined {
  const t = safeType(btf, id);
  return t !== undefined && (t.kind === "enum" || t.kind === "enum64") && t.name === ""
    ? t
    : undefined;
}

/** `enum pid_type {PIDTYPE_PID, PIDTYPE_TGID, …}`: a value only where it breaks the count */
function enumInline(type: BtfType, named: boolean): string {
  let last = 0n;
  const parts = (type.enumValues ?? []).map((e) => {
    const text = e.value === last ? e.name : `${e.name} = ${e.value}`;
    last = e.value + 1n;
    return text;
  });
  const head = named && type.name !== "" ? `enum ${type.name} ` : "enum ";
  return `${head}{${parts.join(", ")}}`;
}

function safeType(btf: Btf, id: number): BtfType | undefined {
  return btf.has(id) ? btf.type(id) : undefined;
}

export interface OffsetOptions {
  /** the struct's size, whose printed width sets the offset column */
  size: number;
  radix: 10 | 16;
  /** `struct -o NAME ADDR`: print addresses (`[ffff…]`) instead of offsets */
  address?: bigint;
  /** `struct NAME.member` without an address: only that member's line */
  member?: string;
}

/**
 * crash's `struct -o` over ptype lines: member lines get `  [offset]` (or the member's
 * address), right-aligned to the width of the size plus four, followed by the line from its
 * fourth character; other lines are shifted right to match. Returns the printed lines.
 */
export function withOffsets(
  btf: Btf,
  structId: number,
  lines: readonly string[],
  options: OffsetOptions,
): string[] {
  const out: string[] = [];
  const sizeText = options.radix === 16 ? `0x${options.size.toString(16)}` : `${options.size}`;
  const width = sizeText.length + 4;
  let inUnion = false;
  let inStruct = false;
  for (const line of lines) {
    if (!/^\s/.test(line)) {
      out.push(line);
      continue;
    }
    if (line.startsWith("    union {")) inUnion = true;
    if (line.startsWith("    struct {")) inStruct = true;
    const endOfBlock = line.startsWith("    } ");
    const target = memberTarget(line);
    const location = target === undefined ? undefined : btf.member(structId, target);
    if (target === undefined || location === undefined) {
      if (endOfBlock) inUnion = inStruct = false;
      if (options.member === undefined) out.push(`${" ".repeat(sizeText.length + 1)}${line}`);
      continue;
    }
    if (options.member !== undefined && options.member !== target) {
      if (endOfBlock) inUnion = inStruct = false;
      continue;
    }
    const offset = Math.floor(location.bitOffset / 8);
    if (endOfBlock && options.member !== undefined && (inUnion || inStruct)) {
      // crash reopens the anonymous block the member closes
      out.push(
        `${" ".repeat(width + 1)}${inUnion && !inStruct ? "union {" : inStruct && !inUnion ? "struct {" : ""}`,
      );
      inUnion = inStruct = false;
    }
    const label =
      options.address !== undefined
        ? `  [${(options.address + BigInt(offset)).toString(16)}]`
        : options.radix === 16
          ? `  [0x${offset.toString(16)}]`
          : `  [${offset}]`;
    out.push(`${label.padStart(width)}${line.slice(3)}`);
  }
  return out;
}

/** the member name crash's show_member_offset picks out of a ptype line, if any */
export function memberTarget(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  let target: string | undefined;
  if (line.includes(":")) {
    const i = words.indexOf(":");
    if (i > 0) target = words[i - 1];
  } else {
    const pointer = words.find((w) => w.startsWith("(*") && w.includes(")"));
    if (pointer !== undefined) target = pointer.slice(2, pointer.indexOf(")"));
    else {
      const last = words.at(-1);
      if (last?.includes(";")) target = last;
    }
  }
  if (target === undefined) return undefined;
  const cleaned =
    target
      .replace(/[*[\];()]/g, " ")
      .trim()
      .split(" ")[0] ?? "";
  return /^[A-Za-z_]\w*$/.test(cleaned) ? cleaned : undefined;
}
