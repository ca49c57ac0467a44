/**
 * SLUB free lists: hardened pointer decoding (both generations) and the bounded walk on a
 * synthetic slab whose free pointers are written exactly as mm/slub.c stores them, then broken
 * on purpose (a loop, a pointer outside the slab, one between objects, an unreadable page).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeFreePointer,
  encodeFreePointer,
  type FreePointerEncoding,
  objectIndex,
  type SlabGeometry,
  swab64,
  walkFreelist,
} from "./freelist.js";

const base = 0xffff8bec42af0000n;
const random = 0x5a3c9e1f00d4b2c7n;

function geometry(encoding: FreePointerEncoding, objects = 8): SlabGeometry {
  return { base, size: 256, objects, redLeftPad: 0, offset: 128, encoding, random };
}

/** a slab's memory: object i's free pointer at base + i*size + offset */
function slab(g: SlabGeometry, chain: bigint[]) {
  const words = new Map<bigint, bigint>();
  chain.forEach((object, i) => {
    const at = object + BigInt(g.offset);
    words.set(at, encodeFreePointer(chain[i + 1] ?? 0n, at, g.encoding, g.random));
  });
  const read = async (address: bigint) => {
    const value = words.get(address);
    if (value === undefined) throw new Error(`no memory at ${address.toString(16)}`);
    return value;
  };
  return { words, read };
}

const object = (i: number) => base + BigInt(i * 256);

describe("free pointer decoding", () => {
  it("swab64 reverses the bytes", () => {
    assert.equal(swab64(0x0102030405060708n), 0x0807060504030201n);
    assert.equal(swab64(0xffff8bec42af0080n), 0x8000af42ec8bffffn);
  });

  it("v5.7+ (swab): stored = ptr ^ random ^ swab(address of the pointer)", () => {
    const at = object(1) + 128n;
    const stored = object(3) ^ random ^ swab64(at);
    assert.equal(decodeFreePointer(stored, at, "swab", random), object(3));
    // the older form gives garbage for the same word
    assert.notEqual(decodeFreePointer(stored, at, "xor", random), object(3));
  });

  it("v4.14–v5.6 (xor): stored = ptr ^ random ^ address of the pointer", () => {
    const at = object(2) + 128n;
    assert.equal(decodeFreePointer(object(5) ^ random ^ at, at, "xor", random), object(5));
  });

  it("plain pointers are stored as they are; NULL encodes to a non-zero word when hardened", () => {
    assert.equal(decodeFreePointer(object(4), 0x1234n, "plain", 0n), object(4));
    const at = object(0) + 128n;
    const stored = encodeFreePointer(0n, at, "swab", random);
    assert.notEqual(stored, 0n);
    assert.equal(decodeFreePointer(stored, at, "swab", random), 0n);
  });

  it("objectIndex accepts object starts only, and honours red_left_pad", () => {
    const g = geometry("plain");
    assert.equal(objectIndex(g, object(3)), 3);
    assert.equal(objectIndex(g, object(3) + 8n), undefined);
    assert.equal(objectIndex(g, object(8)), undefined, "past the last object");
    assert.equal(objectIndex({ ...g, redLeftPad: 64 }, object(2) + 64n), 2);
    assert.equal(objectIndex({ ...g, redLeftPad: 64 }, object(2)), undefined);
  });
});

describe("bounded free-list walk", () => {
  for (const encoding of ["swab", "xor", "plain"] as const)
    it(`${encoding}: walks a healthy list to its NULL end`, async () => {
      const g = geometry(encoding);
      const chain = [object(5), object(0), object(7), object(2)];
      const { read } = slab(g, chain);
      const walk = await walkFreelist(chain[0] as bigint, g, read);
      assert.deepEqual(walk.objects, chain);
      assert.equal(walk.corrupt, undefined);
      assert.equal(walk.unreadable, undefined);
    });

  it("an empty list (NULL head) has no objects", async () => {
    const walk = await walkFreelist(0n, geometry("swab"), async () => {
      throw new Error("must not read");
    });
    assert.deepEqual(walk, { objects: [] });
  });

  it("a loop is reported as corrupt and ends the walk (double free)", async () => {
    const g = geometry("swab");
    const chain = [object(1), object(4), object(6)];
    const { words, read } = slab(g, chain);
    // object 6 points back to object 4, as a second kfree() of object 4 would leave it
    const at = object(6) + 128n;
    words.set(at, encodeFreePointer(object(4), at, "swab", random));
    const walk = await walkFreelist(object(1), g, read);
    assert.deepEqual(walk.objects, chain);
    assert.match(
      walk.corrupt ?? "",
      /points back to ffff8bec42af0400|points back to 0xffff8bec42af0400/,
    );
    assert.match(walk.corrupt ?? "", /loop/);
  });

  it("a pointer outside the slab is reported (use-after-free overwrite)", async () => {
    const g = geometry("swab");
    const chain = [object(2), object(3)];
    const { words, read } = slab(g, chain);
    const at = object(3) + 128n;
    words.set(at, 0x4141414141414141n); // a write through a stale pointer
    const walk = await walkFreelist(object(2), g, read);
    assert.deepEqual(walk.objects, chain);
    assert.match(walk.corrupt ?? "", /outside the slab/);
  });

  it("a pointer between objects is reported", async () => {
    const g = geometry("plain");
    const { words, read } = slab(g, [object(0)]);
    words.set(object(0) + 128n, object(1) + 16n);
    const walk = await walkFreelist(object(0), g, read);
    assert.match(walk.corrupt ?? "", /inside the slab but not at an object's start/);
  });

  it("a list longer than the slab's objects cannot happen without a loop: bounded anyway", async () => {
    const g = geometry("plain", 3);
    const chain = [object(0), object(1), object(2)];
    const { words, read } = slab(g, chain);
    // object 2 points at object 0 again: the loop check fires first, never a hang
    words.set(object(2) + 128n, object(0));
    const walk = await walkFreelist(object(0), g, read);
    assert.equal(walk.objects.length, 3);
    assert.ok(walk.corrupt !== undefined);
  });

  it("an unreadable free pointer stops the walk with a reason, not corruption", async () => {
    const g = geometry("swab");
    const chain = [object(1), object(2)];
    const { words, read } = slab(g, chain);
    words.delete(object(2) + 128n);
    const walk = await walkFreelist(object(1), g, read);
    assert.deepEqual(walk.objects, chain);
    assert.equal(walk.corrupt, undefined);
    assert.match(walk.unreadable ?? "", /cannot be read/);
  });

  it("a zero word in a hardened list is zeroed memory, not corruption", async () => {
    const g = geometry("swab");
    const chain = [object(1), object(2)];
    const { words, read } = slab(g, chain);
    words.set(object(2) + 128n, 0n); // a zero-filled page (another tool's dump) or wiped memory
    const walk = await walkFreelist(object(1), g, read);
    assert.equal(walk.corrupt, undefined);
    assert.match(walk.unreadable ?? "", /reads as 0.*zeroed/);
  });
});
