/**
 * @module shell/format/gdb-value
 * Prints a decoded BTF value (`kernel/btf/value.ts`) exactly as gdb 10 does inside crash 8
 * (`set print pretty on`): `{` then one `name = value` per line, indented two spaces per
 * level, `,` between members, anonymous members as a bare `{`, arrays on one line
 * (`{0, 0, 0}`, arrays of structs as `{{` … `}, {` … `}}`), char arrays as C strings with
 * gdb's escapes (`"sh\000\000"`: the last NUL dropped, octal for the unprintable, a digit after
 * an octal escape escaped too), pointers as `0x…`, `<symbol+off>` when kallsyms names the
 * target, function pointers `0xffffffff8157f8c0 <neigh_timer_handler>`, `char *` with the
 * string it points to, enums by name (flag enums as `(A | B | unknown: 0x8)`), `_Bool` as
 * `true`/`false`, one-byte integers as `65 'A'`.
 *
 * crash changes two gdb defaults (gdb_interface.c, gdb_session_init): `repeat_count_threshold`
 * is 0x7fffffff (so crash never prints `<repeats N times>`) and `print_max` is 256. Those are
 * the defaults here; gdb's own (10, 200) are one option away.
 */
import type { Btf } from "../../kernel/btf/btf.js";
import { typeName } from "../../kernel/btf/type-name.js";
import type { BtfValue, IntValue } from "../../kernel/btf/value.js";

/** gdb's print formats (`p/x`): hex, signed, unsigned, octal, binary, char, address, zero-hex */
export type PrintFormat = "x" | "d" | "u" | "o" | "t" | "c" | "a" | "z";

/** What `char *` members point to, read ahead of printing (see `stringTargets`). */
export type StringRead =
  /** the bytes before the NUL (or `printMax` bytes when no NUL came); `error` = where reading failed */
  { bytes: Uint8Array; terminated: boolean; error?: bigint };

export interface GdbPrintOptions {
  /** an explicit `/FMT` */
  format?: PrintFormat;
  /** crash's output radix (`struct -x`, `p -x`, `set radix 16`): integers in hex, names kept */
  radix?: 10 | 16;
  /** runs longer than this print as `'\000' <repeats 15 times>`; crash: never (default) */
  repeatThreshold?: number;
  /** at most this many array elements or string characters; crash: 256 (default) */
  printMax?: number;
  /** `name` or `name+off` for a kernel address, undefined when no symbol holds it */
  symbolize?: (address: bigint, kind: "function" | "data") => string | undefined;
  /** the strings behind `char *` values, by pointer value */
  strings?: ReadonlyMap<bigint, StringRead>;
}

interface Resolved {
  readonly threshold: number;
  readonly printMax: number;
}

/** gdb's `print_max` and threshold as crash sets them */
export const CRASH_PRINT_MAX = 256;
export const CRASH_REPEAT_THRESHOLD = Number.POSITIVE_INFINITY;

/**
 * The value as gdb prints it after `$1 = ` (or after crash's `struct task_struct `): multi-line
 * for structs, starting at nesting level `recurse` (0 at top).
 */
export function formatGdbValue(
  btf: Btf,
  value: BtfValue,
  options: GdbPrintOptions = {},
  recurse = 0,
): string {
  const resolved: Resolved = {
    threshold: options.repeatThreshold ?? CRASH_REPEAT_THRESHOLD,
    printMax: options.printMax ?? CRASH_PRINT_MAX,
  };
  return new Printer(btf, options, resolved).value(value, recurse);
}

/**
 * What `p EXPR` prints after `$N = `: as `formatGdbValue`, plus gdb's `(type) ` before a pointer
 * that is not a `char *` (c_value_print) and `{type} ` before a function.
 */
export function formatGdbTopLevel(
  btf: Btf,
  value: BtfValue,
  options: GdbPrintOptions = {},
  typeText?: string,
): string {
  const body = formatGdbValue(btf, value, options);
  if (value.kind !== "ptr" || options.format !== undefined) return body;
  if (isCharTarget(btf, value.target)) return body;
  return `(${typeText ?? typeName(btf, value.typeId)}) ${body}`;
}

/**
 * The addresses whose strings printing `value` needs (`char *` members that are not NULL), so
 * a caller can read them (asynchronously) before the synchronous print.
 */
export function stringTargets(btf: Btf, value: BtfValue, options: GdbPrintOptions = {}): bigint[] {
  const found = new Set<bigint>();
  if (options.format !== undefined) return [];
  const walk = (v: BtfValue, depth: number): void => {
    if (depth > 64) return;
    switch (v.kind) {
      case "ptr":
        if (v.value !== 0n && isCharTarget(btf, v.target)) found.add(v.value);
        break;
      case "array":
        if (v.length === 0 && v.address !== undefined && isCharTarget(btf, v.elementType))
          found.add(v.address);
        for (const e of v.elements) walk(e, depth + 1);
        break;
      case "struct":
      case "union":
        for (const m of v.members) walk(m.value, depth + 1);
        break;
      default:
        break;
    }
  };
  walk(value, 0);
  return [...found];
}

/**
 * Reads the C string at `address` as gdb's val_print_string does: up to `printMax` bytes,
 * stopping at a NUL; a read failure keeps what came before it.
 */
export async function readGdbString(
  read: (address: bigint, length: number) => Promise<Uint8Array>,
  address: bigint,
  printMax = CRASH_PRINT_MAX,
): Promise<StringRead> {
  const out: number[] = [];
  let at = address;
  while (out.length < printMax) {
    // page by page, so a string running into an unreadable page keeps its readable part
    const want = Math.min(printMax - out.length, 4096 - Number(at % 4096n));
    let chunk: Uint8Array;
    try {
      chunk = await read(at, want);
    } catch {
      return { bytes: Uint8Array.from(out), terminated: false, error: at };
    }
    for (const b of chunk) {
      if (b === 0) return { bytes: Uint8Array.from(out), terminated: true };
      out.push(b);
    }
    at += BigInt(want);
  }
  return { bytes: Uint8Array.from(out), terminated: false };
}

/** whether `typeId` (behind typedefs and qualifiers) is a one-byte non-bool integer */
export function isCharTarget(btf: Btf, typeId: number): boolean {
  try {
    const t = btf.resolve(typeId);
    return t.kind === "int" && t.size === 1 && t.int?.bool !== true;
  } catch {
    return false;
  }
}

class Printer {
  constructor(
    private readonly btf: Btf,
    private readonly options: GdbPrintOptions,
    private readonly limits: Resolved,
  ) {}

  value(v: BtfValue, recurse: number): string {
    switch (v.kind) {
      case "int":
        return this.integer(v);
      case "enum":
        return this.enumeration(v.value, v.size, v.enumId, v.enumerator);
      case "ptr":
        return this.pointer(v.value, v.target);
      case "float":
        return this.float(v.bits, v.size);
      case "array":
        return this.array(v, recurse);
      case "struct":
      case "union":
        return this.composite(v.members, recurse);
      case "opaque":
        return `<${v.reason}>`;
    }
  }

  private composite(
    members: readonly { name: string; value: BtfValue }[],
    recurse: number,
  ): string {
    if (members.length === 0) return "{<No data fields>}";
    let out = "{";
    members.forEach((m, i) => {
      if (i > 0) out += ",";
      out += `\n${" ".repeat(2 + 2 * recurse)}`;
      if (m.name !== "") out += `${m.name} = `;
      out += this.value(m.value, recurse + 1);
    });
    return `${out}\n${" ".repeat(2 * recurse)}}`;
  }

  private array(v: Extract<BtfValue, { kind: "array" }>, recurse: number): string {
    const format = this.options.format;
    const textual = isCharTarget(this.btf, v.elementType) && format === undefined;
    if (v.length === 0) {
      // gdb prints an array of unknown length like a pointer to its first element
      if (v.address === undefined) return textual ? '""' : "{}";
      return this.pointer(v.address, textual ? v.elementType : 0);
    }
    if (textual) {
      const bytes = Uint8Array.from(v.elements, (e) =>
        Number(BigInt.asUintN(8, (e as IntValue).value)),
      );
      return this.string(bytes, { dropNul: true, truncated: v.elements.length < v.length });
    }
    const parts: string[] = [];
    // elements are printed on demand: only those before print_max (and the runs gdb compares)
    const texts: string[] = [];
    const text = (k: number) => (texts[k] ??= this.value(v.elements[k] as BtfValue, recurse + 1));
    const count = v.elements.length;
    const finite = Number.isFinite(this.limits.threshold);
    let printed = 0;
    let i = 0;
    for (; i < count && printed < this.limits.printMax; i++) {
      let reps = 1;
      if (finite) while (i + reps < count && text(i + reps) === text(i)) reps++;
      if (reps > this.limits.threshold) {
        parts.push(`${text(i)} <repeats ${reps} times>`);
        i += reps - 1;
        printed += this.limits.threshold;
      } else {
        parts.push(text(i));
        printed++;
      }
    }
    return `{${parts.join(", ")}${i < v.length ? "..." : ""}}`;
  }

  /** gdb's generic_printstr: runs of one character, print_max, octal escapes */
  string(
    bytes: Uint8Array,
    how: { dropNul: boolean; truncated?: boolean; force?: boolean },
  ): string {
    let length = bytes.length;
    if (how.dropNul && !how.force && length > 0 && bytes[length - 1] === 0) length--;
    if (length === 0) return how.force ? '""...' : '""';
    const runs: { byte: number; count: number }[] = [];
    for (let i = 0; i < length; i++) {
      const last = runs.at(-1);
      if (last !== undefined && last.byte === bytes[i]) last.count++;
      else runs.push({ byte: bytes[i] as number, count: 1 });
    }
    let out = "";
    let state: "start" | "single" | "repeat" = "start";
    let needEscape = false;
    let consumed = 0;
    let r = 0;
    for (; r < runs.length && consumed < this.limits.printMax; r++) {
      const run = runs[r] as { byte: number; count: number };
      consumed += run.count;
      if (run.count > this.limits.threshold) {
        if (state === "single") out += '"';
        if (state !== "start") out += ", ";
        const escaped = escapeChar(run.byte, "'", false);
        out += `'${escaped.text}' <repeats ${run.count} times>`;
        needEscape = escaped.escaped;
        state = "repeat";
      } else {
        if (state !== "single") {
          if (state !== "start") out += ", ";
          out += '"';
        }
        for (let k = 0; k < run.count; k++) {
          const escaped = escapeChar(run.byte, '"', needEscape);
          out += escaped.text;
          needEscape = escaped.escaped;
        }
        state = "single";
      }
    }
    if (state === "single") out += '"';
    if (how.force === true || r < runs.length || how.truncated === true) out += "...";
    return out;
  }

  private integer(v: IntValue): string {
    const format = this.options.format ?? (this.options.radix === 16 ? "x" : undefined);
    const bits = v.size * 8;
    if (format !== undefined) {
      const text = scalar(v.value, bits, format, this.options);
      // with only the output radix set, gdb still appends the character (c_value_print_int)
      if (this.options.format === undefined && v.char) return `${text} ${charLiteral(v.value)}`;
      if (format === "c") return `${BigInt.asIntN(8, v.value)} ${charLiteral(v.value)}`;
      return text;
    }
    if (v.bool) return v.value === 0n ? "false" : v.value === 1n ? "true" : v.value.toString();
    if (v.char) return `${v.value} ${charLiteral(v.value)}`;
    return v.value.toString();
  }

  private enumeration(value: bigint, size: number, enumId: number, name?: string): string {
    if (this.options.format !== undefined)
      return scalar(value, size * 8, this.options.format, this.options);
    if (name !== undefined) return name;
    const values = safeEnumValues(this.btf, enumId);
    if (isFlagEnum(values)) {
      let rest = value;
      const names: string[] = [];
      for (const e of values) {
        if (e.value !== 0n && (rest & e.value) === e.value) {
          names.push(e.name);
          rest &= ~e.value;
        }
      }
      if (names.length === 0 && rest === 0n) return "0";
      if (rest !== 0n) names.push(`unknown: 0x${BigInt.asUintN(64, rest).toString(16)}`);
      return `(${names.join(" | ")})`;
    }
    return value.toString();
  }

  private pointer(value: bigint, target: number): string {
    const format = this.options.format;
    if (format !== undefined && format !== "a") return scalar(value, 64, format, this.options);
    const hex = `0x${value.toString(16)}`;
    if (format === "a") {
      const sym = this.options.symbolize?.(value, "data");
      return sym === undefined ? hex : `${hex} <${sym}>`;
    }
    if (value === 0n) return hex;
    const targetKind = safeKind(this.btf, target);
    if (targetKind === "func_proto") {
      const sym = this.options.symbolize?.(value, "function");
      return sym === undefined ? hex : `${hex} <${sym}>`;
    }
    const sym = this.options.symbolize?.(value, "data");
    let out = sym === undefined ? hex : `${hex} <${sym}>`;
    if (isCharTarget(this.btf, target)) {
      const read = this.options.strings?.get(value);
      if (read !== undefined) {
        const text =
          read.bytes.length > 0 || read.error === undefined
            ? this.string(read.bytes, {
                dropNul: false,
                force: !read.terminated && read.error === undefined,
              })
            : "";
        out += text === "" ? "" : ` ${text}`;
        if (read.error !== undefined)
          out += ` <error: Cannot access memory at address 0x${read.error.toString(16)}>`;
      }
    }
    return out;
  }

  private float(bits: bigint, size: number): string {
    if (this.options.format !== undefined)
      return scalar(bits, size * 8, this.options.format, this.options);
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    if (size === 4) {
      view.setUint32(0, Number(bits), true);
      return formatFloat(view.getFloat32(0, true));
    }
    if (size === 8) {
      view.setBigUint64(0, bits, true);
      return formatFloat(view.getFloat64(0, true));
    }
    return `0x${bits.toString(16)}`;
  }
}

/** an integer under an explicit format, `bits` wide (gdb's print_scalar_formatted) */
function scalar(
  value: bigint,
  bits: number,
  format: PrintFormat,
  options: GdbPrintOptions,
): string {
  const unsigned = BigInt.asUintN(bits, value);
  switch (format) {
    case "x":
      return `0x${unsigned.toString(16)}`;
    case "z":
      return `0x${unsigned.toString(16).padStart(bits / 4, "0")}`;
    case "d":
      return BigInt.asIntN(bits, value).toString();
    case "u":
      return unsigned.toString();
    case "o":
      return unsigned === 0n ? "0" : `0${unsigned.toString(8)}`;
    case "t":
      return unsigned.toString(2);
    case "c":
      return `${BigInt.asIntN(8, value)} ${charLiteral(value)}`;
    case "a": {
      const hex = `0x${unsigned.toString(16)}`;
      const sym = options.symbolize?.(unsigned, "data");
      return sym === undefined ? hex : `${hex} <${sym}>`;
    }
  }
}

/** `'A'`, `'\000'`, `'\''` */
export function charLiteral(value: bigint): string {
  return `'${escapeChar(Number(BigInt.asUintN(8, value)), "'", false).text}'`;
}

const NAMED_ESCAPES: Record<number, string> = {
  7: "\\a",
  8: "\\b",
  9: "\\t",
  10: "\\n",
  11: "\\v",
  12: "\\f",
  13: "\\r",
};

/**
 * One byte as gdb's print_wchar writes it (ASCII host charset): printable as itself (the quote
 * and backslash escaped), the C escapes by letter, the rest as three octal digits — and a
 * digit right after an octal escape is escaped too, so `\0000` cannot be misread.
 */
function escapeChar(
  byte: number,
  quote: string,
  needEscape: boolean,
): { text: string; escaped: boolean } {
  const named = NAMED_ESCAPES[byte];
  if (named !== undefined) return { text: named, escaped: false };
  const printable = byte >= 0x20 && byte < 0x7f;
  const digit = byte >= 0x30 && byte <= 0x39;
  if (printable && !(needEscape && digit)) {
    const c = String.fromCharCode(byte);
    return { text: c === quote || c === "\\" ? `\\${c}` : c, escaped: false };
  }
  return { text: `\\${byte.toString(8).padStart(3, "0")}`, escaped: true };
}

function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return Number.parseFloat(x.toPrecision(17)).toString();
}

function safeEnumValues(btf: Btf, enumId: number): { name: string; value: bigint }[] {
  try {
    return btf.type(enumId).enumValues ?? [];
  } catch {
    return [];
  }
}

function safeKind(btf: Btf, id: number): string | undefined {
  try {
    return btf.resolve(id).kind;
  } catch {
    return undefined;
  }
}

/** gdb 10's flag enum: no negative values, and values' bits disjoint (duplicates allowed) */
function isFlagEnum(values: readonly { value: bigint }[]): boolean {
  if (values.length === 0) return false;
  let seen = 0n;
  const distinct = new Set<bigint>();
  for (const { value } of values) {
    if (value < 0n) return false;
    if (distinct.has(value)) continue;
    if ((seen & value) !== 0n) return false;
    seen |= value;
    distinct.add(value);
  }
  return true;
}
