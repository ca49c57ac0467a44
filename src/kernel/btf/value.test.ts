import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashlensError } from "../../errors.js";
import { Btf } from "./btf.js";
import { BtfWriter, sampleBtf } from "./test-writer.js";
import { type BtfValue, type CompositeValue, decodeValue, readBits } from "./value.js";

const { w, ids } = sampleBtf();
const btf = Btf.parse(w.bytes());

/** a `struct task` image from the sample graph */
function taskBytes(): Uint8Array {
  const b = new Uint8Array(72);
  const v = new DataView(b.buffer);
  v.setInt32(0, -2, true); // state
  b[4] = 1 | (50 << 1); // on_cpu = 1, prio = 50
  b[5] = 0x0f; // neg = -1 (4 bits)
  v.setBigUint64(8, 0x1122334455667788n, true); // the anonymous union
  b.set(Buffer.from("sh\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "latin1"), 16); // comm
  v.setUint32(32, 1, true); // type = PIDTYPE_TGID
  v.setUint32(36, 5, true); // gfp = GFP_A | GFP_C
  v.setBigUint64(40, 0xffff888000001000n, true); // name
  v.setBigUint64(48, 0xffffffff8157f8c0n, true); // timer_fn
  v.setInt32(56, 7, true);
  v.setInt32(60, -7, true);
  v.setInt32(64, 0, true);
  b[68] = 1; // dead
  b[69] = 65; // level
  return b;
}

const member = (v: BtfValue, name: string) => {
  assert.ok(v.kind === "struct" || v.kind === "union");
  const m = (v as CompositeValue).members.find((x) => x.name === name);
  assert.ok(m, `member ${name}`);
  return m.value;
};

describe("decodeValue", () => {
  const task = decodeValue(btf, ids.task, taskBytes(), { address: 0xffff888000002000n });

  it("decodes integers, bitfields, bool and char with their signedness", () => {
    assert.deepEqual(member(task, "state"), {
      typeId: ids.int,
      address: 0xffff888000002000n,
      kind: "int",
      value: -2n,
      signed: true,
      size: 4,
      bitSize: 0,
      char: false,
      bool: false,
    });
    assert.equal((member(task, "on_cpu") as { value: bigint }).value, 1n);
    assert.equal((member(task, "prio") as { value: bigint }).value, 50n);
    assert.equal((member(task, "neg") as { value: bigint }).value, -1n);
    const dead = member(task, "dead");
    assert.ok(dead.kind === "int" && dead.bool && dead.value === 1n);
    const level = member(task, "level");
    assert.ok(level.kind === "int" && level.char && level.value === 65n, "u8 is a char to gdb");
  });

  it("names enumerators, and leaves unmatched values unnamed", () => {
    const type = member(task, "type");
    assert.ok(type.kind === "enum");
    assert.equal(type.enumerator, "PIDTYPE_TGID");
    const gfp = member(task, "gfp");
    assert.ok(gfp.kind === "enum" && gfp.enumerator === undefined && gfp.value === 5n);
  });

  it("keeps anonymous members, pointers as addresses, arrays in order, member addresses", () => {
    const union = (task as CompositeValue).members.find((m) => m.name === "")?.value;
    assert.ok(union?.kind === "union");
    assert.equal((member(union, "whole") as { value: bigint }).value, 0x1122334455667788n);
    const inner = union.members[1]?.value as BtfValue;
    assert.equal((member(inner, "hi") as { value: bigint }).value, 0x11223344n);
    const name = member(task, "name");
    assert.ok(
      name.kind === "ptr" && name.value === 0xffff888000001000n && name.target === ids.char,
    );
    const vals = member(task, "vals");
    assert.ok(vals.kind === "array" && vals.length === 3);
    assert.deepEqual(
      vals.elements.map((e) => (e as { value: bigint }).value),
      [7n, -7n, 0n],
    );
    assert.equal(vals.elements[1]?.address, 0xffff888000002000n + 60n);
    const comm = member(task, "comm");
    assert.ok(comm.kind === "array" && comm.elements.length === 16);
  });

  it("decodes a bitfield alone, and readBits across bytes", () => {
    const v = decodeValue(btf, ids.int, Uint8Array.of(0x80, 0x01), { bitOffset: 7, bitSize: 3 });
    assert.ok(v.kind === "int" && v.value === 3n);
    assert.equal(readBits(Uint8Array.of(0xff, 0xff), 4, 8, true), -1n);
    assert.equal(
      readBits(Uint8Array.of(0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80), 0, 64, false),
      1n << 63n,
    );
  });

  it("limits arrays to maxElements but keeps their length", () => {
    const v = decodeValue(btf, ids.charArray, new Uint8Array(16), { maxElements: 4 });
    assert.ok(v.kind === "array" && v.length === 16 && v.elements.length === 4);
  });

  it("refuses short input and unknown ids with CrashlensError", () => {
    assert.throws(
      () => decodeValue(btf, ids.task, new Uint8Array(10)),
      (e) => e instanceof CrashlensError && e.code === "truncated",
    );
    assert.throws(
      () => decodeValue(btf, 99999, new Uint8Array(10)),
      (e) => e instanceof CrashlensError && e.code === "not-found",
    );
  });

  it("makes void, forward declarations and damaged types opaque, and stops runaway nesting", () => {
    assert.equal(decodeValue(btf, ids.fwd, new Uint8Array(8)).kind, "opaque");
    const bad = new BtfWriter();
    const self = bad.peekId;
    bad.struct("self", 8, [
      ["a", self, 0],
      ["b", self, 0],
    ]);
    // a tower of types each holding the next twice, without a cycle
    const first = bad.peekId;
    for (let i = 0; i < 40; i++) {
      const next = i === 39 ? 1 : first + i + 1;
      bad.struct(`t${i}`, 8, [
        ["a", next, 0],
        ["b", next, 0],
      ]);
    }
    const damaged = Btf.parse(bad.bytes());
    const v = decodeValue(damaged, self, new Uint8Array(8));
    assert.ok(v.kind === "struct" && v.members[0]?.value.kind === "opaque");
    assert.throws(
      () => decodeValue(damaged, first, new Uint8Array(8)),
      (e) => e instanceof CrashlensError && e.code === "limit",
    );
  });
});
