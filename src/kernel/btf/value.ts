/**
 * @module kernel/btf/value
 * Decodes bytes read from a dump as a value of a BTF type, into a typed tree the shell (or any
 * library user) can print or inspect: integers of any size and signedness (bitfields, `_Bool`,
 * `char`), enums with their enumerator's name, pointers as addresses, arrays, and structs and
 * unions with every member in order (anonymous members kept, with an empty name). No
 * formatting happens here; `shell/format/` prints these trees as gdb does.
 *
 * Little-endian only (x86-64, arm64). Damaged BTF (cycles, absurd sizes) never throws anything
 * but CrashlensError: a type that cannot be decoded becomes an `opaque` node saying why.
 */
import { CrashlensError } from "../../errors.js";
import type { Btf, BtfType } from "./btf.js";

interface Common {
  /** the type as declared (typedefs and qualifiers kept, for printing its name) */
  readonly typeId: number;
  /** where the value lives in memory, when it was read from there */
  readonly address?: bigint;
}

export interface IntValue extends Common {
  readonly kind: "int";
  readonly value: bigint;
  readonly signed: boolean;
  /** bytes of the underlying type (1 for char, 8 for long) */
  readonly size: number;
  /** a bitfield's width in bits; 0 when not a bitfield */
  readonly bitSize: number;
  /** `char`, `signed char`, `unsigned char` and one-byte typedefs of them (gdb prints `65 'A'`) */
  readonly char: boolean;
  readonly bool: boolean;
}

export interface EnumValue extends Common {
  readonly kind: "enum";
  readonly value: bigint;
  readonly size: number;
  readonly bitSize: number;
  /** the resolved enum type's id, for its enumerator list */
  readonly enumId: number;
  /** the enumerator whose value this is, when one matches exactly */
  readonly enumerator?: string;
}

export interface PointerValue extends Common {
  readonly kind: "ptr";
  /** the pointer's value */
  readonly value: bigint;
  /** what it points to (0 = void) */
  readonly target: number;
}

export interface FloatValue extends Common {
  readonly kind: "float";
  /** the raw bits, little-endian */
  readonly bits: bigint;
  readonly size: number;
}

export interface ArrayValue extends Common {
  readonly kind: "array";
  readonly elementType: number;
  /** the declared element count */
  readonly length: number;
  /** the decoded elements: all of them, or the first `maxElements` */
  readonly elements: readonly BtfValue[];
}

export interface MemberValue {
  /** "" for an anonymous struct or union member */
  readonly name: string;
  readonly bitOffset: number;
  readonly bitSize: number;
  readonly value: BtfValue;
}

export interface CompositeValue extends Common {
  readonly kind: "struct" | "union";
  readonly members: readonly MemberValue[];
}

/** A value that cannot be decoded: void, a function, an incomplete type, damaged BTF. */
export interface OpaqueValue extends Common {
  readonly kind: "opaque";
  readonly reason: string;
}

export type BtfValue =
  | IntValue
  | EnumValue
  | PointerValue
  | FloatValue
  | ArrayValue
  | CompositeValue
  | OpaqueValue;

export interface DecodeOptions {
  /** the address of `bytes[0]` in the dump, so every node carries its own address */
  address?: bigint;
  /** decode at most this many elements of each array (default: all, up to 1 << 20) */
  maxElements?: number;
  /** a bitfield: its first bit in `bytes` and its width (an int or enum type) */
  bitOffset?: number;
  bitSize?: number;
}

const MAX_DEPTH = 64;
const MAX_ELEMENTS = 1 << 20;
const POINTER_SIZE = 8;

/** The size in bytes of a value of `typeId`, or a CrashlensError saying why it has none. */
export function valueSize(btf: Btf, typeId: number): number {
  const size = safe(() => btf.sizeof(typeId));
  if (size === undefined)
    throw new CrashlensError(
      "unsupported",
      `type id ${typeId} has no size (void, a function or an incomplete type)`,
    );
  return size;
}

/**
 * Decodes `bytes` (at least sizeof(type) long) as a value of `typeId`. Throws CrashlensError
 * `truncated` when `bytes` is too short, and `not-found` for an id the BTF does not hold.
 */
export function decodeValue(
  btf: Btf,
  typeId: number,
  bytes: Uint8Array,
  options: DecodeOptions = {},
): BtfValue {
  if (!btf.has(typeId)) throw new CrashlensError("not-found", `BTF has no type id ${typeId}`);
  const bitSize = options.bitSize ?? 0;
  const size =
    bitSize > 0
      ? Math.ceil(((options.bitOffset ?? 0) + bitSize) / 8)
      : safe(() => btf.sizeof(typeId));
  if (size !== undefined && size > bytes.length)
    throw new CrashlensError(
      "truncated",
      `a value of type id ${typeId} is ${size} bytes, but only ${bytes.length} were given`,
    );
  const decoder = new Decoder(btf, bytes, options);
  return decoder.decode(typeId, options.bitOffset ?? 0, bitSize, 0);
}

/** Reads `size` bytes (or `bitSize` bits at `bitOffset`) as a little-endian integer. */
export function readBits(
  bytes: Uint8Array,
  bitOffset: number,
  bitSize: number,
  signed: boolean,
): bigint {
  const first = Math.floor(bitOffset / 8);
  const last = Math.floor((bitOffset + bitSize - 1) / 8);
  let raw = 0n;
  for (let i = last; i >= first; i--) raw = (raw << 8n) | BigInt(bytes[i] ?? 0);
  raw = (raw >> BigInt(bitOffset - first * 8)) & ((1n << BigInt(bitSize)) - 1n);
  return signed ? BigInt.asIntN(bitSize, raw) : raw;
}

/**
 * nodes one decode may build, beyond two per byte: damaged BTF nesting a type twice per level
 * would otherwise double the work per level (real values stay far below: unions overlap
 * little, and every other member takes bytes of its own)
 */
const SPARE_NODES = 1 << 16;

class Decoder {
  private nodes = 0;
  private readonly maxNodes: number;
  /** the structs and unions being decoded, outermost first: one inside itself is damage */
  private readonly open = new Set<number>();

  constructor(
    private readonly btf: Btf,
    private readonly bytes: Uint8Array,
    private readonly options: DecodeOptions,
  ) {
    this.maxNodes = SPARE_NODES + 2 * bytes.length;
  }

  private at(bitOffset: number): bigint | undefined {
    return this.options.address === undefined
      ? undefined
      : this.options.address + BigInt(Math.floor(bitOffset / 8));
  }

  /** `bitOffset` from the start of `bytes`; `bitSize` non-zero for a bitfield */
  decode(typeId: number, bitOffset: number, bitSize: number, depth: number): BtfValue {
    if (++this.nodes > this.maxNodes)
      throw new CrashlensError("limit", `a value of more than ${this.maxNodes} parts`, {
        field: "decoded value parts",
        max: this.maxNodes,
      });
    const address = this.at(bitOffset);
    const base = address === undefined ? { typeId } : { typeId, address };
    if (depth > MAX_DEPTH) return { ...base, kind: "opaque", reason: "nested too deeply" };
    const type = safe(() => this.btf.resolve(typeId));
    if (type === undefined)
      return { ...base, kind: "opaque", reason: `type id ${typeId} is missing` };
    switch (type.kind) {
      case "int":
        return this.integer(base, type, bitOffset, bitSize);
      case "enum":
      case "enum64":
        return this.enumeration(base, type, bitOffset, bitSize);
      case "ptr": {
        const value = this.bits(bitOffset, POINTER_SIZE * 8, false);
        return { ...base, kind: "ptr", value, target: type.type ?? 0 };
      }
      case "float": {
        const size = type.size ?? 0;
        if (size <= 0 || size > 16)
          return { ...base, kind: "opaque", reason: `float of ${size} bytes` };
        return { ...base, kind: "float", bits: this.bits(bitOffset, size * 8, false), size };
      }
      case "array":
        return this.array(base, type, bitOffset, depth);
      case "struct":
      case "union":
        return this.composite(base, type, bitOffset, depth);
      case "fwd":
        return { ...base, kind: "opaque", reason: `incomplete type ${type.name}` };
      case "void":
        return { ...base, kind: "opaque", reason: "void" };
      default:
        return { ...base, kind: "opaque", reason: `a ${type.kind} has no value` };
    }
  }

  private bits(bitOffset: number, bitSize: number, signed: boolean): bigint {
    const end = Math.ceil((bitOffset + bitSize) / 8);
    if (end > this.bytes.length || bitOffset < 0)
      throw new CrashlensError(
        "truncated",
        `a member at bit ${bitOffset} (${bitSize} bits) lies past the ${this.bytes.length} bytes given`,
      );
    return readBits(this.bytes, bitOffset, bitSize, signed);
  }

  private integer(base: Common, type: BtfType, bitOffset: number, bitSize: number): BtfValue {
    const info = type.int;
    const size = type.size ?? 0;
    if (info === undefined || size <= 0 || size > 16)
      return { ...base, kind: "opaque", reason: `integer of ${size} bytes` };
    // an INT's own encoding may narrow it (BTF_INT_OFFSET/BITS, pre-kind_flag bitfields)
    const width =
      bitSize > 0 ? bitSize : info.bits > 0 && info.bits < size * 8 ? info.bits : size * 8;
    const offset = bitOffset + (bitSize > 0 ? 0 : info.bitOffset);
    const value = this.bits(offset, width, info.signed);
    // gdb treats every one-byte non-bool integer as a character (u8 prints as `5 '\005'`)
    const char = !info.bool && size === 1;
    return {
      ...base,
      kind: "int",
      value,
      signed: info.signed,
      size,
      bitSize,
      char,
      bool: info.bool,
    };
  }

  private enumeration(base: Common, type: BtfType, bitOffset: number, bitSize: number): BtfValue {
    const size = type.size ?? 0;
    if (size <= 0 || size > 8) return { ...base, kind: "opaque", reason: `enum of ${size} bytes` };
    const values = type.enumValues ?? [];
    // kind_flag marks an unsigned enum; without it values (and so the bits) are signed
    const width = bitSize > 0 ? bitSize : size * 8;
    const value = this.bits(bitOffset, width, !type.kindFlag);
    const match = values.find((v) => v.value === value);
    return {
      ...base,
      kind: "enum",
      value,
      size,
      bitSize,
      enumId: type.id,
      ...(match === undefined ? {} : { enumerator: match.name }),
    };
  }

  private array(base: Common, type: BtfType, bitOffset: number, depth: number): BtfValue {
    const info = type.array;
    if (info === undefined)
      return { ...base, kind: "opaque", reason: "array without element type" };
    const element = safe(() => this.btf.sizeof(info.type));
    if (element === undefined)
      return { ...base, kind: "opaque", reason: "array of incomplete elements" };
    const limit = Math.min(this.options.maxElements ?? MAX_ELEMENTS, MAX_ELEMENTS, info.nelems);
    const elements: BtfValue[] = [];
    // zero-sized elements (empty structs) need no bytes; a damaged count cannot read past the end
    for (let i = 0; i < limit; i++) {
      const at = bitOffset + i * element * 8;
      if (element > 0 && Math.ceil(at / 8) + element > this.bytes.length) break;
      elements.push(this.decode(info.type, at, 0, depth + 1));
    }
    return { ...base, kind: "array", elementType: info.type, length: info.nelems, elements };
  }

  private composite(base: Common, type: BtfType, bitOffset: number, depth: number): BtfValue {
    if (this.open.has(type.id))
      return {
        ...base,
        kind: "opaque",
        reason: `${type.kind} ${type.name || "{...}"} inside itself`,
      };
    this.open.add(type.id);
    const members: MemberValue[] = [];
    for (const m of type.members ?? []) {
      members.push({
        name: m.name,
        bitOffset: m.bitOffset,
        bitSize: m.bitSize,
        value: this.decode(m.type, bitOffset + m.bitOffset, m.bitSize, depth + 1),
      });
    }
    this.open.delete(type.id);
    return { ...base, kind: type.kind as "struct" | "union", members };
  }
}

/** Runs a BTF accessor that may throw on damaged input; undefined instead. */
function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    if (error instanceof CrashlensError) return undefined;
    throw error;
  }
}
