/**
 * @module kernel/btf/btf
 * Reads BPF Type Format: the type information a modern kernel carries in its own image
 * (`__start_BTF`..`__stop_BTF`) and, for modules, as split BTF whose ids and strings continue
 * from vmlinux's. Records are indexed in one pass and decoded on demand, so opening the 4 MB
 * vmlinux BTF of a distribution kernel costs one scan; names are indexed on first lookup.
 */
import { CrashlensError } from "../../errors.js";
import { type BtfKind, kindTable, qualifierKinds, sizedKinds } from "./kinds.js";

export type { BtfKind } from "./kinds.js";

export interface BtfMember {
  name: string;
  type: number;
  /** from the start of the enclosing struct or union */
  bitOffset: number;
  /** 0 unless a bitfield */
  bitSize: number;
}

export interface BtfParam {
  name: string;
  /** 0 for the `...` of a variadic function */
  type: number;
}

export interface BtfType {
  id: number;
  kind: BtfKind;
  name: string;
  kindFlag: boolean;
  vlen: number;
  /** bytes, for int, struct, union, enum, enum64, float, datasec */
  size?: number;
  /** the referenced type, for ptr, typedef, qualifiers, func (its proto), func_proto (return), var */
  type?: number;
  members?: BtfMember[];
  enumValues?: { name: string; value: bigint }[];
  params?: BtfParam[];
  array?: { type: number; indexType: number; nelems: number };
  int?: { signed: boolean; char: boolean; bool: boolean; bitOffset: number; bits: number };
  /** func: 0 static, 1 global, 2 extern; var: the same */
  linkage?: number;
  secinfo?: { type: number; offset: number; size: number }[];
}

/** A member found by path: where it is and what it is. */
export interface MemberLocation {
  bitOffset: number;
  bitSize: number;
  type: number;
}

const HEADER_MIN = 24;
const MAGIC = 0xeb9f;
/** the largest BTF seen is ~8 MB (allyesconfig); a bound keeps damaged headers from allocating wildly */
const MAX_TYPES = 4_000_000;
const POINTER_SIZE = 8;

export class Btf {
  private readonly view: DataView;
  /** byte offset of each type record, by local index (id - firstId) */
  private readonly offsets: Uint32Array;
  private readonly cache = new Map<number, BtfType>();
  private names?: Map<string, number[]>;
  /** the string section as one latin1 string (names are C identifiers), made on first use */
  private strings?: string;
  /** the first id in this blob: 1 for vmlinux, base.count for split (module) BTF */
  readonly firstId: number;
  /** one past the highest type id */
  readonly count: number;
  readonly warnings: string[] = [];
  private readonly typesStart: number;
  private readonly stringsStart: number;
  private readonly stringsLength: number;
  /** the base's string section length: split BTF string offsets start after it */
  private readonly firstString: number;

  private constructor(
    private readonly bytes: Uint8Array,
    readonly base: Btf | undefined,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < HEADER_MIN)
      throw new CrashlensError(
        "truncated",
        `BTF is ${bytes.length} bytes, shorter than its header`,
      );
    const magic = this.view.getUint16(0, true);
    if (magic !== MAGIC)
      throw new CrashlensError(
        "bad-data",
        `BTF magic is 0x${magic.toString(16)}, not 0xeb9f${magic === 0x9feb ? " (big-endian BTF is not supported)" : ""}`,
      );
    const version = bytes[2] as number;
    if (version !== 1) throw new CrashlensError("unsupported", `BTF version ${version}, not 1`);
    const hdrLen = this.view.getUint32(4, true);
    const typeOff = this.view.getUint32(8, true);
    const typeLen = this.view.getUint32(12, true);
    const strOff = this.view.getUint32(16, true);
    const strLen = this.view.getUint32(20, true);
    if (hdrLen < HEADER_MIN || hdrLen > bytes.length)
      throw new CrashlensError("bad-data", `BTF header length ${hdrLen} is impossible`);
    this.typesStart = hdrLen + typeOff;
    this.stringsStart = hdrLen + strOff;
    this.stringsLength = strLen;
    if (this.typesStart + typeLen > bytes.length || this.stringsStart + strLen > bytes.length)
      throw new CrashlensError(
        "truncated",
        `BTF announces ${typeLen} bytes of types and ${strLen} of strings, but holds ${bytes.length - hdrLen} bytes after its header`,
      );
    this.firstId = base === undefined ? 1 : base.count;
    this.firstString = base === undefined ? 0 : base.firstString + base.stringsLength;
    this.offsets = this.index(typeLen);
    this.count = this.firstId + this.offsets.length;
  }

  /** Parses vmlinux BTF, or a module's split BTF when `base` (vmlinux's) is given. */
  static parse(bytes: Uint8Array, base?: Btf): Btf {
    return new Btf(bytes, base);
  }

  /** one pass over the type section recording where each record starts */
  private index(typeLen: number): Uint32Array {
    const end = this.typesStart + typeLen;
    const found: number[] = [];
    let at = this.typesStart;
    while (at < end) {
      if (at + 12 > end) {
        this.warnings.push(`BTF type section ends inside a record at byte ${at}`);
        break;
      }
      const info = this.view.getUint32(at + 4, true);
      const kindNumber = (info >>> 24) & 0x1f;
      const row = kindTable[kindNumber];
      if (row === undefined || kindNumber === 0) {
        this.warnings.push(
          `BTF kind ${kindNumber} at byte ${at} (type id ${this.firstId + found.length}) is unknown; the ${found.length} types before it are kept`,
        );
        break;
      }
      const next = at + 12 + row.trailing(info & 0xffff);
      if (next > end) {
        this.warnings.push(`BTF type id ${this.firstId + found.length} runs past the type section`);
        break;
      }
      if (found.length >= MAX_TYPES)
        throw new CrashlensError("limit", `BTF has more than ${MAX_TYPES} types`, {
          field: "BTF types",
          max: MAX_TYPES,
        });
      found.push(at);
      at = next;
    }
    return Uint32Array.from(found);
  }

  /** a string by its offset (split BTF: offsets below the base's length are the base's) */
  string(offset: number): string {
    if (offset < this.firstString) return (this.base as Btf).string(offset);
    const local = offset - this.firstString;
    if (local >= this.stringsLength) return "";
    this.strings ??= Buffer.from(
      this.bytes.buffer,
      this.bytes.byteOffset + this.stringsStart,
      this.stringsLength,
    ).toString("latin1");
    const end = this.strings.indexOf("\0", local);
    return this.strings.slice(local, end < 0 ? undefined : end);
  }

  /** whether `id` names a type (0 is void, which always exists) */
  has(id: number): boolean {
    return id >= 0 && id < this.count;
  }

  type(id: number): BtfType {
    if (id === 0) return { id: 0, kind: "void", name: "void", kindFlag: false, vlen: 0 };
    if (id < this.firstId) return (this.base as Btf).type(id);
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    const at = this.offsets[id - this.firstId];
    if (at === undefined) throw new CrashlensError("not-found", `BTF has no type id ${id}`);
    const type = this.decode(id, at);
    this.cache.set(id, type);
    return type;
  }

  private decode(id: number, at: number): BtfType {
    const v = this.view;
    const info = v.getUint32(at + 4, true);
    const vlen = info & 0xffff;
    const kind = (kindTable[(info >>> 24) & 0x1f] as { kind: BtfKind }).kind;
    const kindFlag = info >>> 31 === 1;
    const sizeOrType = v.getUint32(at + 8, true);
    const type: BtfType = { id, kind, name: this.string(v.getUint32(at, true)), kindFlag, vlen };
    if (sizedKinds.has(kind)) type.size = sizeOrType;
    else if (kind !== "fwd") type.type = sizeOrType;
    const data = at + 12;
    const word = (i: number) => v.getUint32(data + i * 4, true);
    switch (kind) {
      case "int": {
        const enc = word(0);
        const encoding = (enc >>> 24) & 0x0f;
        type.int = {
          signed: (encoding & 1) !== 0,
          char: (encoding & 2) !== 0,
          bool: (encoding & 4) !== 0,
          bitOffset: (enc >>> 16) & 0xff,
          bits: enc & 0xff,
        };
        break;
      }
      case "array":
        type.array = { type: word(0), indexType: word(1), nelems: word(2) };
        break;
      case "struct":
      case "union":
        type.members = Array.from({ length: vlen }, (_, i) => {
          const offset = word(i * 3 + 2);
          return {
            name: this.string(word(i * 3)),
            type: word(i * 3 + 1),
            bitOffset: kindFlag ? offset & 0xffffff : offset,
            bitSize: kindFlag ? offset >>> 24 : 0,
          };
        });
        break;
      case "enum":
        type.enumValues = Array.from({ length: vlen }, (_, i) => ({
          name: this.string(word(i * 2)),
          value: kindFlag ? BigInt(word(i * 2 + 1)) : BigInt(v.getInt32(data + i * 8 + 4, true)),
        }));
        break;
      case "enum64":
        type.enumValues = Array.from({ length: vlen }, (_, i) => {
          const raw = (BigInt(word(i * 3 + 2)) << 32n) | BigInt(word(i * 3 + 1));
          return { name: this.string(word(i * 3)), value: kindFlag ? raw : BigInt.asIntN(64, raw) };
        });
        break;
      case "func_proto":
        type.params = Array.from({ length: vlen }, (_, i) => ({
          name: this.string(word(i * 2)),
          type: word(i * 2 + 1),
        }));
        break;
      case "func":
        type.linkage = vlen;
        break;
      case "var":
        type.linkage = word(0);
        break;
      case "datasec":
        type.secinfo = Array.from({ length: vlen }, (_, i) => ({
          type: word(i * 3),
          offset: word(i * 3 + 1),
          size: word(i * 3 + 2),
        }));
        break;
      default:
        break;
    }
    return type;
  }

  /** ids by name, built on first use (vmlinux: ~95k names in ~30 ms) */
  private nameIndex(): Map<string, number[]> {
    if (this.names !== undefined) return this.names;
    const names = new Map<string, number[]>();
    for (let i = 0; i < this.offsets.length; i++) {
      const nameOff = this.view.getUint32(this.offsets[i] as number, true);
      if (nameOff === 0) continue;
      const name = this.string(nameOff);
      const ids = names.get(name);
      if (ids === undefined) names.set(name, [this.firstId + i]);
      else ids.push(this.firstId + i);
    }
    this.names = names;
    return names;
  }

  /** every id named `name` here and in the base, base first */
  idsNamed(name: string): number[] {
    return [...(this.base?.idsNamed(name) ?? []), ...(this.nameIndex().get(name) ?? [])];
  }

  /** every type name here (and in the base), for completion */
  *typeNames(kinds?: ReadonlySet<BtfKind>): Iterable<string> {
    if (this.base !== undefined) yield* this.base.typeNames(kinds);
    for (const [name, ids] of this.nameIndex()) {
      if (kinds === undefined || ids.some((id) => kinds.has(this.type(id).kind))) yield name;
    }
  }

  /**
   * A type by name: `task_struct`, `struct task_struct`, `union bpf_attr`, `enum pid_type`,
   * or a typedef such as `u32`. A complete definition wins over a forward declaration.
   */
  find(name: string, kind?: BtfKind): BtfType | undefined {
    const m = /^(struct|union|enum)\s+(.+)$/.exec(name.trim());
    const wanted: ReadonlySet<BtfKind> | undefined = m
      ? new Set(m[1] === "enum" ? ["enum", "enum64"] : [m[1] as BtfKind])
      : kind !== undefined
        ? new Set([kind])
        : undefined;
    const bare = m ? (m[2] as string).trim() : name.trim();
    let fallback: BtfType | undefined;
    for (const id of this.idsNamed(bare)) {
      const type = this.type(id);
      if (wanted !== undefined && !wanted.has(type.kind)) continue;
      if (wanted === undefined && (type.kind === "func" || type.kind === "var")) {
        fallback ??= type;
        continue;
      }
      if (type.kind === "fwd") {
        fallback ??= type;
        continue;
      }
      return type;
    }
    return fallback;
  }

  /** the type behind typedefs and qualifiers */
  resolve(id: number): BtfType {
    let type = this.type(id);
    for (let depth = 0; qualifierKinds.has(type.kind) && depth < 64; depth++)
      type = this.type(type.type ?? 0);
    return type;
  }

  /** size in bytes, or undefined for void, functions and incomplete types */
  sizeof(id: number): number | undefined {
    return this.sizeOfDepth(id, 0);
  }

  private sizeOfDepth(id: number, depth: number): number | undefined {
    if (depth > 64) return undefined;
    const type = this.resolve(id);
    if (type.kind === "ptr") return POINTER_SIZE;
    if (type.kind === "array" && type.array !== undefined) {
      const element = this.sizeOfDepth(type.array.type, depth + 1);
      return element === undefined ? undefined : element * type.array.nelems;
    }
    return type.size;
  }

  /** a direct or anonymous-nested member of a struct/union by name, offsets from the outer start */
  member(structId: number, name: string): MemberLocation | undefined {
    return this.memberDepth(this.resolve(structId), name, 0, new Set());
  }

  /** `seen`: anonymous types already searched (damaged BTF can nest one type in itself many times) */
  private memberDepth(
    type: BtfType,
    name: string,
    depth: number,
    seen: Set<number>,
  ): MemberLocation | undefined {
    if (type.members === undefined || depth > 32 || seen.has(type.id)) return undefined;
    seen.add(type.id);
    for (const m of type.members) {
      if (m.name === name) return { bitOffset: m.bitOffset, bitSize: m.bitSize, type: m.type };
    }
    for (const m of type.members) {
      if (m.name !== "") continue;
      const inner = this.memberDepth(this.resolve(m.type), name, depth + 1, seen);
      if (inner !== undefined) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
    }
    return undefined;
  }

  /**
   * A member path as C spells it: `thread.sp`, `se.on_rq`, `pids[1].node`, `comm[0]`.
   * Returns undefined when any step is missing, so callers can try an older layout.
   */
  memberPath(typeId: number, path: string): MemberLocation | undefined {
    let location: MemberLocation = { bitOffset: 0, bitSize: 0, type: typeId };
    for (const step of path.split(".")) {
      const m = /^([A-Za-z_]\w*)((?:\[\d+\])*)$/.exec(step.trim());
      if (!m) return undefined;
      const found = this.member(location.type, m[1] as string);
      if (found === undefined) return undefined;
      location = { ...found, bitOffset: location.bitOffset + found.bitOffset };
      for (const index of (m[2] as string).matchAll(/\[(\d+)\]/g)) {
        const array = this.resolve(location.type);
        if (array.kind !== "array" || array.array === undefined) return undefined;
        const element = this.sizeof(array.array.type);
        if (element === undefined) return undefined;
        location = {
          bitOffset: location.bitOffset + Number(index[1]) * element * 8,
          bitSize: 0,
          type: array.array.type,
        };
      }
    }
    return location;
  }

  /** byte offset of `path` in struct/union `name`, or undefined when either is missing */
  offsetof(name: string, path: string): number | undefined {
    const type = this.find(name.includes(" ") ? name : `struct ${name}`) ?? this.find(name);
    if (type === undefined) return undefined;
    const location = this.memberPath(type.id, path);
    return location === undefined ? undefined : Math.floor(location.bitOffset / 8);
  }

  /** the prototype of a kernel function, when BTF records it (most non-inlined functions) */
  funcProto(name: string): { returns: number; params: BtfParam[] } | undefined {
    for (const id of this.idsNamed(name)) {
      const func = this.type(id);
      if (func.kind !== "func") continue;
      const proto = this.type(func.type ?? 0);
      if (proto.kind !== "func_proto") continue;
      return { returns: proto.type ?? 0, params: proto.params ?? [] };
    }
    return undefined;
  }
}
