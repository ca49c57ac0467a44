/**
 * @module kernel/btf/test-writer
 * A tiny BTF writer for tests and fuzzing (in the spirit of drgn's tests/elfwriter.py): build
 * types by calling methods that return their ids, then `bytes()` gives a blob `Btf.parse`
 * reads. It writes what it is told — nothing is validated — so tests can also make damaged BTF
 * (cycles, dangling ids, lying sizes). Not used by the library itself.
 */

const KIND = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

export type WriterKind = keyof typeof KIND;

export interface IntEncoding {
  signed?: boolean;
  char?: boolean;
  bool?: boolean;
  /** BTF_INT_OFFSET */
  offset?: number;
  /** BTF_INT_BITS (default size * 8) */
  bits?: number;
}

/** [name, type, bitOffset, bitSize?] */
export type MemberSpec = readonly [string, number, number, number?];

export class BtfWriter {
  private readonly words: number[] = [];
  private readonly strings: number[] = [0];
  private readonly stringIndex = new Map<string, number>([["", 0]]);
  private nextId: number;
  private readonly stringBase: number;

  /** `firstId`/`stringBase`: for split BTF, the base's type count and string length */
  constructor(options: { firstId?: number; stringBase?: number } = {}) {
    this.nextId = options.firstId ?? 1;
    this.stringBase = options.stringBase ?? 0;
    if (this.stringBase > 0) {
      // split BTF's string section starts with its own empty string too
      this.stringIndex.set("", this.stringBase);
    }
  }

  /** the offset of `s` in the string section (added once) */
  str(s: string): number {
    const known = this.stringIndex.get(s);
    if (known !== undefined) return known;
    const offset = this.stringBase + this.strings.length;
    for (const b of Buffer.from(s, "latin1")) this.strings.push(b);
    this.strings.push(0);
    this.stringIndex.set(s, offset);
    return offset;
  }

  /** a raw record: name, kind, vlen, kind_flag, size_or_type, then trailing u32 words */
  record(
    name: string,
    kind: WriterKind | number,
    vlen: number,
    sizeOrType: number,
    trailing: readonly number[] = [],
    kindFlag = false,
  ): number {
    const k = typeof kind === "number" ? kind : KIND[kind];
    const info = ((kindFlag ? 1 : 0) << 31) | ((k & 0x1f) << 24) | (vlen & 0xffff);
    this.words.push(this.str(name), info >>> 0, sizeOrType >>> 0, ...trailing.map((w) => w >>> 0));
    return this.nextId++;
  }

  int(name: string, size: number, e: IntEncoding = {}): number {
    const encoding = (e.signed ? 1 : 0) | (e.char ? 2 : 0) | (e.bool ? 4 : 0);
    const word = (encoding << 24) | ((e.offset ?? 0) << 16) | (e.bits ?? size * 8);
    return this.record(name, "int", 0, size, [word]);
  }

  float(name: string, size: number): number {
    return this.record(name, "float", 0, size);
  }

  ptr(target: number): number {
    return this.record("", "ptr", 0, target);
  }

  array(element: number, nelems: number, index = 0): number {
    return this.record("", "array", 0, 0, [element, index, nelems]);
  }

  private aggregate(
    kind: "struct" | "union",
    name: string,
    size: number,
    members: readonly MemberSpec[],
  ): number {
    const bitfields = members.some((m) => (m[3] ?? 0) > 0);
    const trailing = members.flatMap(([n, type, bitOffset, bitSize]) => [
      this.str(n),
      type,
      bitfields ? ((bitSize ?? 0) << 24) | bitOffset : bitOffset,
    ]);
    return this.record(name, kind, members.length, size, trailing, bitfields);
  }

  struct(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.aggregate("struct", name, size, members);
  }

  union(name: string, size: number, members: readonly MemberSpec[]): number {
    return this.aggregate("union", name, size, members);
  }

  enum(
    name: string,
    size: number,
    values: readonly (readonly [string, number])[],
    unsigned = false,
  ): number {
    const trailing = values.flatMap(([n, v]) => [this.str(n), v | 0]);
    return this.record(name, "enum", values.length, size, trailing, unsigned);
  }

  enum64(
    name: string,
    size: number,
    values: readonly (readonly [string, bigint])[],
    unsigned = false,
  ): number {
    const trailing = values.flatMap(([n, v]) => {
      const u = BigInt.asUintN(64, v);
      return [this.str(n), Number(u & 0xffffffffn), Number(u >> 32n)];
    });
    return this.record(name, "enum64", values.length, size, trailing, unsigned);
  }

  fwd(name: string, union = false): number {
    return this.record(name, "fwd", 0, 0, [], union);
  }

  typedef(name: string, target: number): number {
    return this.record(name, "typedef", 0, target);
  }

  qualifier(
    kind: "const" | "volatile" | "restrict" | "type_tag",
    target: number,
    name = "",
  ): number {
    return this.record(name, kind, 0, target);
  }

  funcProto(returns: number, params: readonly (readonly [string, number])[]): number {
    return this.record(
      "",
      "func_proto",
      params.length,
      returns,
      params.flatMap(([n, t]) => [this.str(n), t]),
    );
  }

  func(name: string, proto: number, linkage = 1): number {
    return this.record(name, "func", linkage, proto);
  }

  variable(name: string, type: number, linkage = 1): number {
    return this.record(name, "var", 0, type, [linkage]);
  }

  datasec(
    name: string,
    size: number,
    vars: readonly (readonly [number, number, number])[],
  ): number {
    return this.record(name, "datasec", vars.length, size, vars.flat());
  }

  declTag(name: string, type: number, component = -1): number {
    return this.record(name, "decl_tag", 0, type, [component]);
  }

  /** the next id `record` will return */
  get peekId(): number {
    return this.nextId;
  }

  /** the string section's length (the base length for split BTF built on this) */
  get stringLength(): number {
    return this.strings.length;
  }

  /** header + types + strings, little-endian */
  bytes(): Uint8Array {
    const typeLen = this.words.length * 4;
    const strLen = this.strings.length;
    const out = new Uint8Array(24 + typeLen + strLen);
    const view = new DataView(out.buffer);
    view.setUint16(0, 0xeb9f, true);
    out[2] = 1;
    out[3] = 0;
    view.setUint32(4, 24, true);
    view.setUint32(8, 0, true);
    view.setUint32(12, typeLen, true);
    view.setUint32(16, typeLen, true);
    view.setUint32(20, strLen, true);
    for (let i = 0; i < this.words.length; i++)
      view.setUint32(24 + i * 4, this.words[i] as number, true);
    out.set(this.strings, 24 + typeLen);
    return out;
  }
}

/**
 * A small kernel-like type graph: ints, `struct list_head`, `struct timer_list` with a
 * function pointer, a struct with bitfields, an anonymous union, a char array, enums, a
 * typedef'd anonymous struct, a function, a per-CPU variable. Returns the writer and ids.
 */
export function sampleBtf() {
  const w = new BtfWriter();
  const ids = {
    int: w.int("int", 4, { signed: true }),
    uint: w.int("unsigned int", 4),
    ulong: w.int("long unsigned int", 8),
    long: w.int("long int", 8, { signed: true }),
    char: w.int("char", 1, { signed: true }),
    uchar: w.int("unsigned char", 1),
    bool: w.int("_Bool", 1, { bool: true }),
    short: w.int("short int", 2, { signed: true }),
    void: 0,
  } as const;
  const u32 = w.typedef("u32", ids.uint);
  const u8 = w.typedef("u8", ids.uchar);
  const listHead = w.peekId;
  const listPtr = listHead + 1;
  w.struct("list_head", 16, [
    ["next", listPtr, 0],
    ["prev", listPtr, 64],
  ]);
  w.ptr(listHead);
  const timer = w.peekId;
  const timerPtr = timer + 1;
  const fnProto = timer + 2;
  const fnPtr = timer + 3;
  w.struct("timer_list", 40, [
    ["entry", listHead, 0],
    ["expires", ids.ulong, 128],
    ["function", fnPtr, 192],
    ["flags", u32, 256],
  ]);
  w.ptr(timer);
  w.funcProto(0, [["", timerPtr]]);
  w.ptr(fnProto);
  const charArray = w.array(ids.char, 16);
  const pidType = w.enum("pid_type", 4, [
    ["PIDTYPE_PID", 0],
    ["PIDTYPE_TGID", 1],
    ["PIDTYPE_MAX", 2],
  ]);
  const flags = w.enum("gfp_flags", 4, [
    ["GFP_A", 1],
    ["GFP_B", 2],
    ["GFP_C", 4],
  ]);
  const anonStruct = w.struct("", 8, [
    ["lo", u32, 0],
    ["hi", u32, 32],
  ]);
  const anonUnion = w.union("", 8, [
    ["whole", ids.ulong, 0],
    ["", anonStruct, 0],
  ]);
  const charPtr = w.ptr(ids.char);
  const intArray = w.array(ids.int, 3);
  const task = w.struct("task", 72, [
    ["state", ids.int, 0],
    ["on_cpu", ids.uint, 32, 1],
    ["prio", ids.int, 33, 7],
    ["neg", ids.int, 40, 4],
    ["", anonUnion, 64],
    ["comm", charArray, 128],
    ["type", pidType, 256],
    ["gfp", flags, 288],
    ["name", charPtr, 320],
    ["timer_fn", fnPtr, 384],
    ["vals", intArray, 448],
    ["dead", ids.bool, 544],
    ["level", u8, 552],
  ]);
  const atomic = w.typedef("atomic_t", w.struct("", 4, [["counter", ids.int, 0]]));
  const callProto = w.funcProto(0, [
    ["timer", timerPtr],
    ["fn", fnPtr],
    ["data", ids.ulong],
  ]);
  const callTimerFn = w.func("call_timer_fn", callProto, 0);
  const rqVar = w.variable("runqueues", task);
  const percpu = w.datasec(".data..percpu", 4096, [[rqVar, 0, 72]]);
  const fwd = w.fwd("opaque");
  return {
    w,
    ids: {
      ...ids,
      u32,
      u8,
      listHead,
      listPtr,
      timer,
      timerPtr,
      fnProto,
      fnPtr,
      charArray,
      pidType,
      flags,
      anonStruct,
      anonUnion,
      charPtr,
      intArray,
      task,
      atomic,
      callProto,
      callTimerFn,
      rqVar,
      percpu,
      fwd,
    },
  };
}
