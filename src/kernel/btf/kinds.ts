/**
 * @module kernel/btf/kinds
 * The BTF kinds (`include/uapi/linux/btf.h`) as data: each kind's name and how many bytes
 * of kind-specific data follow its 12-byte `struct btf_type`, given vlen. An unknown kind
 * cannot be skipped (its trailing size is unknown), so parsing stops there and says so.
 */

export type BtfKind =
  | "void"
  | "int"
  | "ptr"
  | "array"
  | "struct"
  | "union"
  | "enum"
  | "fwd"
  | "typedef"
  | "volatile"
  | "const"
  | "restrict"
  | "func"
  | "func_proto"
  | "var"
  | "datasec"
  | "float"
  | "decl_tag"
  | "type_tag"
  | "enum64";

interface KindRow {
  kind: BtfKind;
  /** bytes after the common header, given vlen */
  trailing: (vlen: number) => number;
}

/** indexed by the 5-bit kind number; kinds 20+ (LOC_*, in patches only) are unknown */
export const kindTable: readonly KindRow[] = [
  { kind: "void", trailing: () => 0 }, // 0 = BTF_KIND_UNKN, never a real record
  { kind: "int", trailing: () => 4 }, // encoding, bit offset, bits
  { kind: "ptr", trailing: () => 0 },
  { kind: "array", trailing: () => 12 }, // type, index_type, nelems
  { kind: "struct", trailing: (n) => n * 12 }, // name_off, type, offset
  { kind: "union", trailing: (n) => n * 12 },
  { kind: "enum", trailing: (n) => n * 8 }, // name_off, s32 val
  { kind: "fwd", trailing: () => 0 },
  { kind: "typedef", trailing: () => 0 },
  { kind: "volatile", trailing: () => 0 },
  { kind: "const", trailing: () => 0 },
  { kind: "restrict", trailing: () => 0 },
  { kind: "func", trailing: () => 0 }, // vlen = linkage
  { kind: "func_proto", trailing: (n) => n * 8 }, // name_off, type
  { kind: "var", trailing: () => 4 }, // linkage
  { kind: "datasec", trailing: (n) => n * 12 }, // type, offset, size
  { kind: "float", trailing: () => 0 },
  { kind: "decl_tag", trailing: () => 4 }, // component_idx
  { kind: "type_tag", trailing: () => 0 },
  { kind: "enum64", trailing: (n) => n * 12 }, // name_off, val_lo32, val_hi32
];

/** kinds whose `size_or_type` field is a size in bytes; the others hold a type id */
export const sizedKinds: ReadonlySet<BtfKind> = new Set([
  "int",
  "struct",
  "union",
  "enum",
  "enum64",
  "float",
  "datasec",
]);

/** kinds that only qualify or rename another type: skipped when resolving */
export const qualifierKinds: ReadonlySet<BtfKind> = new Set([
  "typedef",
  "volatile",
  "const",
  "restrict",
  "type_tag",
]);
