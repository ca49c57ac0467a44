/**
 * @module kernel/mm/freelist
 * SLUB free lists: decoding the stored "next free object" pointers (obfuscated under
 * CONFIG_SLAB_FREELIST_HARDENED) and walking a list with a bound, so a corrupted list — a
 * loop, a pointer outside the slab, a pointer between objects — is reported as such, never
 * followed forever. Layout from mm/slub.c (`freelist_ptr()`, `get_freepointer()`).
 */

/** How stored free pointers are encoded. */
export type FreePointerEncoding =
  /** stored as is (no CONFIG_SLAB_FREELIST_HARDENED: `kmem_cache.random` is absent) */
  | "plain"
  /** ptr ^ s->random ^ swab(address of the pointer): Linux kernel commit 1ad53d9fa3f6
   * ("slub: improve bit diffusion for freelist ptr obfuscation") (in v5.7) */
  | "swab"
  /** ptr ^ s->random ^ address of the pointer: Linux kernel commit 2482ddec670f
   * ("mm: add SLUB free list pointer obfuscation") (in v4.14) until v5.7 */
  | "xor";

/** Byte-swaps a 64-bit value (the kernel's `swab64()`). */
export function swab64(value: bigint): bigint {
  let v = BigInt.asUintN(64, value);
  let out = 0n;
  for (let i = 0; i < 8; i++) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The next-free pointer stored at `at`, decoded. */
export function decodeFreePointer(
  stored: bigint,
  at: bigint,
  encoding: FreePointerEncoding,
  random: bigint,
): bigint {
  if (encoding === "plain") return stored;
  const salt = encoding === "swab" ? swab64(at) : BigInt.asUintN(64, at);
  return BigInt.asUintN(64, stored ^ random ^ salt);
}

/** Encodes a pointer the way the kernel stores it (for test writers). */
export function encodeFreePointer(
  pointer: bigint,
  at: bigint,
  encoding: FreePointerEncoding,
  random: bigint,
): bigint {
  return decodeFreePointer(pointer, at, encoding, random);
}

/** Where a slab's objects are. */
export interface SlabGeometry {
  /** address of the slab's memory (`slab_address()`) */
  base: bigint;
  /** kmem_cache.size: the stride between objects */
  size: number;
  /** objects in this slab */
  objects: number;
  /** kmem_cache.red_left_pad: objects start this far into their stride (SLAB_RED_ZONE) */
  redLeftPad: number;
  /** kmem_cache.offset: where in a free object the next-free pointer is */
  offset: number;
  encoding: FreePointerEncoding;
  random: bigint;
}

export interface FreelistWalk {
  /** the free objects, in list order (up to where the list broke) */
  objects: bigint[];
  /** why the list cannot be trusted past `objects`: a loop, a stray pointer */
  corrupt?: string;
  /** why the walk stopped without an answer: memory not in the dump */
  unreadable?: string;
}

/** the index of the object starting exactly at `pointer`, or undefined when it is not one */
export function objectIndex(geometry: SlabGeometry, pointer: bigint): number | undefined {
  const first = geometry.base + BigInt(geometry.redLeftPad);
  if (pointer < first) return undefined;
  const delta = pointer - first;
  const size = BigInt(geometry.size);
  if (delta % size !== 0n) return undefined;
  const index = delta / size;
  return index < BigInt(geometry.objects) ? Number(index) : undefined;
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

/**
 * Walks a free list from `head`, reading each object's stored pointer with `readU64`.
 * At most `geometry.objects` objects can be free, so the walk ends after that many steps.
 */
export async function walkFreelist(
  head: bigint,
  geometry: SlabGeometry,
  readU64: (address: bigint) => Promise<bigint>,
): Promise<FreelistWalk> {
  const objects: bigint[] = [];
  const seen = new Set<bigint>();
  let pointer = head;
  let from: bigint | undefined;
  while (pointer !== 0n) {
    const where = from === undefined ? "the list head" : `free object ${hex(from)}`;
    if (objectIndex(geometry, pointer) === undefined) {
      const inSlab =
        pointer >= geometry.base &&
        pointer < geometry.base + BigInt(geometry.size) * BigInt(geometry.objects);
      return {
        objects,
        corrupt: `${where} points to ${hex(pointer)}, ${inSlab ? "inside the slab but not at an object's start" : "outside the slab"}`,
      };
    }
    if (seen.has(pointer))
      return {
        objects,
        corrupt: `${where} points back to ${hex(pointer)}, already on the list: a loop (an object freed twice?)`,
      };
    if (objects.length >= geometry.objects)
      return {
        objects,
        corrupt: `the list holds more than the slab's ${geometry.objects} objects`,
      };
    seen.add(pointer);
    objects.push(pointer);
    const at = pointer + BigInt(geometry.offset);
    let stored: bigint;
    try {
      stored = await readU64(at);
    } catch (error) {
      return {
        objects,
        unreadable: `the next-free pointer at ${hex(at)} cannot be read: ${(error as Error).message}`,
      };
    }
    from = pointer;
    pointer = decodeFreePointer(stored, at, geometry.encoding, geometry.random);
    // a hardened NULL is never stored as 0: a zero word whose decoding leaves the slab is
    // zeroed memory (a page a dump tool zero-filled, or memory wiped), not a broken list;
    // pages our readers know were filtered out fail to read instead
    if (
      stored === 0n &&
      geometry.encoding !== "plain" &&
      pointer !== 0n &&
      objectIndex(geometry, pointer) === undefined
    )
      return {
        objects,
        unreadable: `the next-free pointer at ${hex(at)} reads as 0, which no hardened pointer encodes: the memory was zeroed (a zero-filled page in the dump, or wiped), not a list link`,
      };
  }
  return { objects };
}
