/**
 * @module dump/structs/struct
 * Struct tokens built from field tables: `{ size, get(view, offset), put(view, offset, value) }`.
 * 64-bit fields are `bigint`, character arrays are NUL-trimmed strings, the rest are numbers.
 */

type NumberType = "u8" | "u16" | "u32" | "i32";
type BigType = "u64" | "i64";
export type FieldSpec =
  | { readonly type: NumberType; readonly offset: number }
  | { readonly type: BigType; readonly offset: number }
  | { readonly type: "chars"; readonly offset: number; readonly length: number };

type ValueOf<F> = F extends { type: BigType }
  ? bigint
  : F extends { type: "chars" }
    ? string
    : number;
export type StructValue<F extends Record<string, FieldSpec>> = { [K in keyof F]: ValueOf<F[K]> };

export interface StructToken<T> {
  readonly size: number;
  get(view: DataView, offset?: number): T;
  put(view: DataView, offset: number, value: T): void;
}

const latin1 = new TextDecoder("latin1");

/** A C string: the bytes up to the first NUL (all of them without one), one char per byte. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return latin1.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function readField(
  view: DataView,
  at: number,
  spec: FieldSpec,
  le: boolean,
): number | bigint | string {
  switch (spec.type) {
    case "u8":
      return view.getUint8(at);
    case "u16":
      return view.getUint16(at, le);
    case "u32":
      return view.getUint32(at, le);
    case "i32":
      return view.getInt32(at, le);
    case "u64":
      return view.getBigUint64(at, le);
    case "i64":
      return view.getBigInt64(at, le);
    case "chars": {
      return cString(new Uint8Array(view.buffer, view.byteOffset + at, spec.length));
    }
  }
}

function writeField(
  view: DataView,
  at: number,
  spec: FieldSpec,
  value: unknown,
  le: boolean,
): void {
  switch (spec.type) {
    case "u8":
      view.setUint8(at, value as number);
      return;
    case "u16":
      view.setUint16(at, value as number, le);
      return;
    case "u32":
      view.setUint32(at, value as number, le);
      return;
    case "i32":
      view.setInt32(at, value as number, le);
      return;
    case "u64":
      view.setBigUint64(at, BigInt.asUintN(64, value as bigint), le);
      return;
    case "i64":
      view.setBigInt64(at, BigInt.asIntN(64, value as bigint), le);
      return;
    case "chars": {
      const text = String(value);
      for (let i = 0; i < spec.length; i++) {
        view.setUint8(at + i, i < text.length ? text.charCodeAt(i) & 0xff : 0);
      }
      return;
    }
  }
}

export function defineStruct<const F extends Record<string, FieldSpec>>(
  size: number,
  fields: F,
  littleEndian = true,
): StructToken<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    size,
    get(view, offset = 0) {
      const out: Record<string, unknown> = {};
      for (const [name, spec] of entries)
        out[name] = readField(view, offset + spec.offset, spec, littleEndian);
      return out as StructValue<F>;
    },
    put(view, offset, value) {
      for (const [name, spec] of entries) {
        writeField(
          view,
          offset + spec.offset,
          spec,
          (value as Record<string, unknown>)[name],
          littleEndian,
        );
      }
    },
  };
}
