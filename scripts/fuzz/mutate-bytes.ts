/**
 * Mutations of real binary artifacts, as data (so fast-check can shrink a failing list of
 * them): bit flips, byte writes, insertions, deletions, truncation, splices, and writes of
 * extreme values into the header fields a format reader trusts (`FieldSlot`s).
 */
import fc from "fast-check";

/** A header field of a seed artifact: where it is and how wide. */
export interface FieldSlot {
  at: number;
  width: 1 | 2 | 4 | 8;
  bigEndian?: boolean;
}

export type ByteOp =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; value: number }
  | { op: "field"; slot: number; value: bigint }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; length: number }
  | { op: "truncate"; at: number }
  | { op: "splice"; from: number; at: number; length: number };

/** Values that break size and offset arithmetic: 0, sign edges, 2^32, 2^53, 2^64 - 1, … */
export const extremeValues: readonly bigint[] = [
  0n,
  1n,
  2n,
  7n,
  8n,
  0x7fn,
  0x80n,
  0xffn,
  0x100n,
  0xfffn,
  0x1000n,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n, // -1 in any width
  2n ** 64n - 8n, // small negative offsets
  2n ** 64n - 4096n,
];

/** Positions biased to the first 8 KiB, where every format keeps its headers. */
const position = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 8191 }) },
  { weight: 2, arbitrary: fc.nat() },
);

const fieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...extremeValues) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 0x20000n }) },
);

export function byteOp(withFields: boolean): fc.Arbitrary<ByteOp> {
  const ops: fc.WeightedArbitrary<ByteOp>[] = [
    { weight: 3, arbitrary: fc.record({ op: fc.constant("flip"), at: position, bit: fc.nat(7) }) },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant("set"), at: position, value: fc.nat(255) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("insert"),
        at: position,
        bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("delete"),
        at: position,
        length: fc.integer({ min: 1, max: 4096 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate"), at: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("splice"),
        from: fc.nat(),
        at: position,
        length: fc.integer({ min: 1, max: 8192 }),
      }),
    },
  ];
  if (withFields) {
    ops.push({
      weight: 6,
      arbitrary: fc.record({ op: fc.constant("field"), slot: fc.nat(), value: fieldValue }),
    });
  }
  return fc.oneof(...ops) as fc.Arbitrary<ByteOp>;
}

export function byteOps(withFields: boolean, maxLength = 6): fc.Arbitrary<ByteOp[]> {
  return fc.array(byteOp(withFields), { minLength: 1, maxLength });
}

function writeField(out: Uint8Array, slot: FieldSlot, value: bigint): void {
  for (let i = 0; i < slot.width; i++) {
    const byte = Number((value >> BigInt(8 * i)) & 0xffn);
    const at = slot.bigEndian ? slot.at + slot.width - 1 - i : slot.at + i;
    if (at < out.length) out[at] = byte;
  }
}

/** Applies the ops in order to a copy of `seed`; positions wrap to the current length. */
export function applyByteOps(
  seed: Uint8Array,
  ops: readonly ByteOp[],
  slots: readonly FieldSlot[],
): Uint8Array {
  let out = seed.slice();
  for (const op of ops) {
    const n = out.length;
    const at = n === 0 ? 0 : ("at" in op ? op.at : 0) % n;
    switch (op.op) {
      case "flip":
        if (n > 0) out[at] = (out[at] as number) ^ (1 << op.bit);
        break;
      case "set":
        if (n > 0) out[at] = op.value;
        break;
      case "field": {
        const slot = slots[op.slot % Math.max(1, slots.length)];
        if (slot !== undefined) writeField(out, slot, op.value);
        break;
      }
      case "insert": {
        const next = new Uint8Array(n + op.bytes.length);
        next.set(out.subarray(0, at));
        next.set(op.bytes, at);
        next.set(out.subarray(at), at + op.bytes.length);
        out = next;
        break;
      }
      case "delete": {
        const end = Math.min(n, at + op.length);
        const next = new Uint8Array(n - (end - at));
        next.set(out.subarray(0, at));
        next.set(out.subarray(end), at);
        out = next;
        break;
      }
      case "truncate":
        out = out.slice(0, n === 0 ? 0 : op.at % (n + 1));
        break;
      case "splice": {
        if (n === 0) break;
        const from = op.from % n;
        const piece = out.slice(from, Math.min(n, from + op.length));
        out.set(piece.subarray(0, Math.max(0, n - at)), at);
        break;
      }
    }
  }
  return out;
}
